"""Onward referrals from a case, with the person's consent (issue 14; spec 3.8, 11; Lot 2)."""
