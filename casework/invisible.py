"""Characters that cannot be seen where text is shown but change how it reads or what it matches.

Forms take them out of what is posted (app.security). The police download and emailed partner
referrals take the format characters out of what they store, and refuse a row or an email with
a control character (DESIGN.md Data formats).
"""

from __future__ import annotations

import re

# A control character no field of a download or an emailed referral holds: C0 controls except
# tab, line feed and carriage return (a quoted CSV field may hold line breaks), DEL, and C1
# controls. PostgreSQL refuses NUL outright. A row or an email holding one is refused.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
UNHOLDABLE = "contains a control character (such as NUL), which a field cannot hold"

# C0 and C1 control characters, except NUL (refused outright wherever it comes), tab, line feed,
# vertical tab, form feed and carriage return: a form keeps the tab and line breaks, and turns
# a pasted vertical tab or form feed into a space.
CONTROLS = frozenset({*range(0x01, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)})

# Format characters: bidirectional embeddings, overrides and isolates (U+202E shows a name or a
# team backwards, and the text after it), zero-width spaces and byte-order marks, soft hyphens,
# word joiners and invisible operators, interlinear annotation marks. Left-to-right and
# right-to-left marks and zero-width joiners stay: scripts written with them need them.
FORMAT_CHARACTERS = frozenset(
    {
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        *range(0x2060, 0x2065),
        *range(0xFFF9, 0xFFFC),
        0x00AD,
        0x200B,
        0xFEFF,
    }
)

FORMAT_REMOVED = dict.fromkeys(FORMAT_CHARACTERS)
ANY_FORMAT_CHARACTER = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in sorted(FORMAT_CHARACTERS)) + "]"
)


def without_format_characters(text: str) -> str:
    """``text`` with the format characters above taken out."""
    return text.translate(FORMAT_REMOVED) if ANY_FORMAT_CHARACTER.search(text) else text
