"""Waypoint's records and what happens to them: SQLAlchemy models and service functions.

Service functions take a database session and plain values, apply the rules from ``triage``
and commit. Views, CLI commands and scheduler jobs all call them; none of them hold rules.
"""
