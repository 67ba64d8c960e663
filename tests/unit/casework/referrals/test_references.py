"""Referral references: read out on the phone, so only unambiguous characters, and unique."""

import re
from collections import Counter

from casework.referrals.intake import REFERENCE_ALPHABET, new_references


def test_references_use_only_unambiguous_characters():
    references = new_references(2_000)
    assert len(references) == 2_000
    pattern = re.compile(rf"^WP-[{REFERENCE_ALPHABET}]{{8}}$")
    assert all(pattern.match(r) for r in references)
    assert not set("01IO") & set("".join(r[3:] for r in references))


def test_references_do_not_repeat_and_every_character_is_used():
    references = new_references(20_000)
    assert len(set(references)) == len(references)
    counts = Counter("".join(r[3:] for r in references))
    assert set(counts) == set(REFERENCE_ALPHABET)
    # 160,000 characters over 32: each about 5,000; a skew would make guessing easier.
    assert min(counts.values()) > 4_500 and max(counts.values()) < 5_500
