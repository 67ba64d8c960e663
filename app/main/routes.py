from datetime import timedelta
from functools import lru_cache

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from app.auth.forms import CodeForm
from app.auth.session import request_origin, role_required, two_step_box
from app.caseloads.views import render_caseload
from app.extensions import db
from app.forms import REFUSED, call_service
from app.main import bp
from casework.access import only_on_the_advice_line
from casework.caseloads.settings import team_settings
from casework.caseloads.team import team_loads, viewable_teams
from casework.db import database_answers, utcnow
from casework.errors import NotFound
from casework.heartbeat.readiness import check_readiness
from casework.staff import totp
from casework.staff.directory import team_colleagues, view_staff_profile, visible_colleagues
from casework.staff.two_step import turn_on_two_step

HOME_BY_ROLE = {
    "caseworker": "main.caseload",
    "team_leader": "queue.queue",
    "hsb_advisor": "advice_line.queue",
    "analyst": "main.reports",
    "admin": "admin.staff_list",
    "volunteer": "support.my_cases",
}


@bp.route("/")
def home():
    """Send each person to their role's home page, or to sign in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == "team_leader" and only_on_the_advice_line(current_user):
        return redirect(url_for("advice_line.queue"))
    return redirect(url_for(HOME_BY_ROLE.get(current_user.role, "main.account")))


@bp.route("/healthz")
def healthz():
    """200 when the app and its database answer; 503 otherwise."""
    if not database_answers(db.session):
        current_app.logger.error("health check failed: the database does not answer")
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/readyz")
def readyz():
    """200 when this instance is ready: the database answers, its schema is at the migrations'
    head and the scheduler swept within READY_SCHEDULER_STALE_SECONDS; 503 naming what is not."""
    readiness = check_readiness(
        db.session,
        migrations_directory=current_app.extensions["migrate"].directory,
        now=utcnow(),
        stale_after=timedelta(seconds=current_app.config["READY_SCHEDULER_STALE_SECONDS"]),
    )
    if not readiness.ready:
        current_app.logger.warning("not ready: %s", ", ".join(readiness.failing))
    return jsonify(readiness.as_json()), (200 if readiness.ready else 503)


@bp.route("/caseload")
@role_required("caseworker", "team_leader")
def caseload():
    """The signed-in caseworker's open cases and referrals, most urgent first (issue 12)."""
    return render_caseload(current_user, own=True, endpoint="main.caseload")


@bp.route("/team")
@role_required("team_leader", "admin")
def team():
    """Each caseworker of the team with their open cases, open referrals and overdue deadlines;
    an admin chooses the team (``?team=``)."""
    teams = viewable_teams(db.session, current_user)
    chosen = request.args.get("team", type=int)
    team = next((t for t in teams if t.id == chosen), teams[0] if teams else None)
    loads = (
        team_loads(db.session, current_user, team_id=team.id if team else None, now=utcnow())
        if team
        else []
    )
    members = (
        team_colleagues(db.session, current_user, team.id)
        if team is not None
        else visible_colleagues(db.session, current_user)
    )
    return render_template(
        "main/team.html",
        team=team,
        teams=teams,
        loads=loads,
        members=members,
        settings=team_settings(db.session, team.id) if team else None,
    )


@bp.route("/staff/<int:staff_id>")
@login_required
def staff_profile(staff_id: int):
    """One staff member's profile; another team's id gets the same 404 as a missing one."""
    try:
        staff = view_staff_profile(
            db.session, staff_id, viewer=current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    return render_template("main/staff_profile.html", staff=staff)


@bp.route("/reports")
@role_required("analyst", "team_leader", "admin", advice_line_staff=True)
def reports():
    """The reports there are, for analysts, team leaders and admins: links to each. An HSB
    team's staff see only the advice line's. The group sessions' return is for those who run
    the sessions: the victim service's team leaders and admins."""
    victim_service = not only_on_the_advice_line(current_user)
    return render_template(
        "main/reports.html",
        victim_service=victim_service,
        runs_groups=victim_service and current_user.role in ("team_leader", "admin"),
    )


@bp.route("/account")
@login_required
def account():
    """The signed-in person's own account: details and two-step verification."""
    return render_template("main/account.html", staff=current_user)


TOTP_SETUP = "two_step_setup_secret"


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
def two_step():
    """Set up two-step verification: add the key to an authenticator app, prove it with a code."""
    if current_user.two_step_on:
        return render_template("main/two_step.html", staff=current_user, form=None)
    # The secret waits in the signed session cookie until a code proves the app has it.
    secret = session.get(TOTP_SETUP) or totp.new_secret()
    session[TOTP_SETUP] = secret
    form = CodeForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: turn_on_two_step(
                db.session,
                current_user.id,
                secret,
                form.code.data,
                box=two_step_box(),
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            session.pop(TOTP_SETUP, None)
            flash(
                "Two-step verification is on. You will need a code each time you sign in.",
                "success",
            )
            return redirect(url_for("main.account"))
    return render_template(
        "main/two_step.html",
        staff=current_user,
        form=form,
        key=totp.grouped(secret),
        link=totp.provisioning_uri(secret, current_user.email),
        required=current_app.config["REQUIRE_TWO_STEP"],
    ), (400 if form.errors else 200)


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement."""
    return render_template("main/accessibility.html")


@bp.route("/privacy")
def privacy():
    """The privacy notice."""
    return render_template("main/privacy.html")


NAVIGATION = {
    "caseworker": [
        ("queue.queue", "Triage queue"),
        ("referrals.new_referral", "Record a referral"),
        ("main.caseload", "My caseload"),
        ("letters.letters", "Letters to post"),
        ("partners.registry", "Partner agencies"),
        ("groups.sessions", "Group sessions"),
        ("complaints.complaints", "Complaints"),
    ],
    "team_leader": [
        ("queue.queue", "Triage queue"),
        ("referrals.new_referral", "Record a referral"),
        ("deadlines.deadlines", "Deadlines"),
        ("letters.letters", "Letters to post"),
        ("imports.police_upload", "Import police download"),
        ("main.team", "My team"),
        ("main.reports", "Reports"),
        ("support.fund", "Hardship fund"),
        ("partners.registry", "Partner agencies"),
        ("groups.sessions", "Group sessions"),
        ("complaints.complaints", "Complaints"),
    ],
    "hsb_advisor": [
        ("advice_line.queue", "Advice line"),
        ("advice_line.resources", "Resources"),
        ("advice_line.evidence_list", "Evidence of practice"),
        ("advice_line.monthly", "Monthly figures"),
        ("advice_line.guidance", "Guidance wording"),
    ],
    # A team leader of an HSB team leads the advice line, not the victim service's queue.
    "hsb_team_leader": [
        ("advice_line.queue", "Advice line"),
        ("advice_line.feedback_list", "Feedback to follow up"),
        ("advice_line.resources", "Resources"),
        ("advice_line.evidence_list", "Evidence of practice"),
        ("advice_line.monthly", "Monthly figures"),
        ("advice_line.settings", "Line settings"),
    ],
    "analyst": [("main.reports", "Reports"), ("complaints.quarterly_return", "Complaints")],
    "volunteer": [("support.my_cases", "My cases")],
    "admin": [
        ("queue.queue", "Triage queue"),
        ("admin.staff_list", "Staff"),
        ("admin.vetting_expiring", "Vetting due to expire"),
        ("admin.team_list", "Teams"),
        ("partners.registry", "Partner agencies"),
        ("admin.subject_access", "Subject access"),
        ("admin.merges", "Merged people"),
        ("admin.letter_templates", "Letter wording"),
        ("advice_line.guidance", "HSB guidance wording"),
        ("advice_line.resources", "HSB resources"),
        ("admin.audit", "Audit trail"),
        ("main.reports", "Reports"),
        ("support.fund", "Hardship fund"),
        ("groups.sessions", "Group sessions"),
        ("complaints.complaints", "Complaints"),
    ],
}


# Pages under a menu item's section, by path, so it stays highlighted there: the advisors'
# queue's contacts, calls and sessions, and what is done on them.
NAVIGATION_SECTIONS = {
    "advice_line.queue": (
        "/advice-line/open",
        "/advice-line/contacts/",
        "/advice-line/calls/",
        "/advice-line/sessions/",
    ),
}


@lru_cache(maxsize=64)
def _navigation_links(role: str, script_root: str) -> tuple[tuple[str, str, str], ...]:
    """(endpoint, href, text) for a role's menu; the same on every page, so built once."""
    items = [*NAVIGATION.get(role, []), ("main.account", "Your account")]
    return tuple((endpoint, url_for(endpoint), text) for endpoint, text in items)


@bp.app_context_processor
def navigation():
    """The service navigation for the signed-in person's role."""
    if not current_user.is_authenticated:
        return {"nav_items": []}
    menu = current_user.role
    advice_line_only = only_on_the_advice_line(current_user)
    if menu == "team_leader" and advice_line_only:
        menu = "hsb_team_leader"
    items = [
        {
            "href": href,
            "text": text,
            "active": request.endpoint == endpoint
            or request.path.startswith(NAVIGATION_SECTIONS.get(endpoint, ())),
        }
        for endpoint, href, text in _navigation_links(menu, request.script_root)
    ]
    if current_user.role in {"team_leader", "admin"} and not advice_line_only:
        items.insert(-1, _approvals_item())
    return {"nav_items": items}


def _approvals_item() -> dict:
    """ "Approvals (N pending)": the requests waiting for this team leader's decision."""
    from casework.approvals.requests import pending_count

    waiting = pending_count(db.session, current_user)
    return {
        "href": url_for("approvals.approvals"),
        "text": f"Approvals ({waiting} pending)" if waiting else "Approvals",
        "active": (request.endpoint or "").startswith("approvals."),
    }
