"""Letters as PDF (fpdf2), for the print queue."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF


def letter_pdf(*, service: str, recipient: str, title: str, body: str, dated: date) -> bytes:
    """An A4 letter: service name, address block, date, title and the body text."""
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 8, _latin(service), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("helvetica", size=11)
    for line in recipient.splitlines():
        pdf.cell(0, 6, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(0, 6, dated.strftime("%-d %B %Y"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("helvetica", "B", 12)
    pdf.multi_cell(0, 7, _latin(title))
    pdf.ln(4)
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, _latin(body))
    return bytes(pdf.output())


def _latin(text: str) -> str:
    """The core PDF fonts cover Latin-1; anything else is replaced rather than failing."""
    return (
        text.replace("\u2019", "'")
        .replace("\u2013", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )
