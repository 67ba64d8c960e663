"""Pure rules: priority, Victims' Code enhanced entitlement, allocation, deadlines, HSB triage.

Nothing here imports Flask, SQLAlchemy, twilio, ``app`` or ``casework``: dataclasses in,
dataclasses out, so the rules that decide who is called first are tested as plain functions.
"""
