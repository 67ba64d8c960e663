"""Sealed secrets: readable with the key they were sealed under, and only with it."""

import pytest

from casework.staff.sealed import SecretBox, Unreadable

KEY = "a key of at least sixteen characters"


def test_a_sealed_secret_opens_with_its_key_and_hides_the_text():
    box = SecretBox(KEY)
    sealed = box.seal("JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert box.open(sealed) == "JBSWY3DPEHPK3PXP"
    assert box.seal("JBSWY3DPEHPK3PXP") != sealed  # fresh randomness each time


def test_another_key_or_an_altered_token_cannot_open_it():
    sealed = SecretBox(KEY).seal("JBSWY3DPEHPK3PXP")
    with pytest.raises(Unreadable):
        SecretBox(KEY + " but changed").open(sealed)
    middle = len(sealed) // 2
    altered = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
    with pytest.raises(Unreadable):
        SecretBox(KEY).open(altered)


def test_a_short_key_is_refused():
    with pytest.raises(ValueError, match="at least 16"):
        SecretBox("short")
