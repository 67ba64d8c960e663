"""A case's Support tab (issue 15): restorative justice, Victim Personal Statement support,
hardship payments, young people's group sessions attended and volunteers, each a section of the
tab with its own pages. Each feature's module adds its section with
:func:`app.support.routes.section` and its own routes to this blueprint."""

from flask import Blueprint

bp = Blueprint("support", __name__)

from app.support import (  # noqa: E402,F401
    complaints,
    groups,
    hardship,
    restorative,
    routes,
    statements,
    volunteers,
)
