"""Who may see and change which record: one function per record type, used everywhere.

Views load records through these, and list queries are filtered in SQL by the same rule, so a
person can never reach a record by guessing its id.
"""

from __future__ import annotations

import sqlalchemy as sa

from casework.staff import Staff


def is_admin(viewer) -> bool:
    return getattr(viewer, "role", None) == "admin"


def can_view_staff(viewer, staff: Staff) -> bool:
    """Admins see every account; team leaders their own team; everyone sees themselves."""
    if viewer is None or staff is None:
        return False
    if is_admin(viewer) or viewer.id == staff.id:
        return True
    return (
        viewer.role == "team_leader"
        and viewer.team_id is not None
        and viewer.team_id == staff.team_id
    )


def visible_staff_clause(viewer):
    """The SQL form of :func:`can_view_staff`, for lists."""
    if is_admin(viewer):
        return sa.true()
    if viewer.role == "team_leader" and viewer.team_id is not None:
        return sa.or_(Staff.team_id == viewer.team_id, Staff.id == viewer.id)
    return Staff.id == viewer.id


def can_manage_staff(viewer) -> bool:
    """Adding, editing and deactivating accounts and teams is for admins."""
    return is_admin(viewer)


def can_search_audit(viewer) -> bool:
    """The audit trail is searched by admins."""
    return is_admin(viewer)
