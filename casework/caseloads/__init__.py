"""Caseloads: a caseworker's open cases and referrals by next deadline, the team leader's view of
their team, picking up unallocated referrals (a team setting) and reassigning cases."""
