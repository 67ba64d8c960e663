"""Letters as PDF (fpdf2), for the print queue.

Set in DejaVu Sans (bundled in ``fonts/``, with its licence), embedded and subset by fpdf2: the
core PDF fonts cover Latin-1 only, and printed "?ukasz Wi?niewski" for Łukasz Wiśniewski, on
a letter to a victim and on its envelope window.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).with_name("fonts")
FAMILY = "DejaVuSans"


def letter_pdf(*, service: str, recipient: str, title: str, body: str, dated: date) -> bytes:
    """An A4 letter: service name, address block, date, title and the body text."""
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 14)
    pdf.cell(0, 8, service, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font(FAMILY, size=11)
    for line in recipient.splitlines():
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(0, 6, dated.strftime("%-d %B %Y"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 7, title)
    pdf.ln(4)
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(0, 6, body)
    return bytes(pdf.output())
