"""Approvals (to be built: issue 13 part 7)."""

from flask import render_template

from app.approvals import bp
from app.cases.routes import leaders


@bp.route("/approvals")
@leaders
def approvals():
    """The team's requests waiting for a team leader's decision."""
    return render_template("approvals/list.html")
