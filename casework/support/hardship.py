"""The hardship fund (spec 3.8: practical support via a small hardship fund, currently £5k a
year): its budget for each financial year and the approval threshold, set by an admin; payments
from a case; and the fund's page for team leaders, admins and analysts.

A payment at or below the threshold that fits what is left of the year's budget is approved at
once. One above the threshold waits for a team leader of the case's team (an Approval of kind
"hardship_payment", decided on /approvals); approving checks the balance again then. What is
committed (approved payments and those waiting) never goes over the budget unless an admin
overrides it with a reason, recorded on the payment and in the audit trail.

Concurrency: every payment and every decision first takes the year's HardshipBudget row (created
with the default budget when the year has none): ``SELECT ... FOR UPDATE`` on PostgreSQL, and on
both engines an UPDATE of the row's version guarded by the version read, so of two payments
racing for the last of the budget the second waits, then sees the first (PostgreSQL), or is
refused and asked to try again (SQLite, whose writers queue on the database lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from casework.access import is_admin, visible_cases_clause
from casework.approvals import requests as approvals
from casework.approvals.models import Approval
from casework.audit import Origin, audit_case, record_event
from casework.cases.loading import case_work_refusal, viewable_case, workable_case
from casework.cases.models import Case
from casework.db import db, form_key, made_by_key, made_once, refuse_stale
from casework.errors import NotFound, ValidationError
from casework.staff.vetting import local_today
from casework.support.models import (
    DEFAULT_BUDGET_PENCE,
    DEFAULT_THRESHOLD_PENCE,
    HARDSHIP_PURPOSES,
    HARDSHIP_STATUSES,
    HardshipBudget,
    HardshipPayment,
    HardshipSetting,
)
from triage.hardship import (
    financial_year_at,
    needs_approval,
    over_budget_by,
    over_budget_message,
    remaining,
    setting_pounds_to_pence,
    year_words,
)
from triage.onward import pence_to_pounds, pounds_to_pence

KIND = "hardship_payment"
FUND_ROLES = frozenset({"team_leader", "admin", "analyst"})
MAX_DETAIL = 1000
MAX_REASON = 1000
PER_PAGE = 25
FIRST_YEAR, LAST_YEAR = 2000, 2100
RACE = (
    "Another payment from the fund was made at the same moment. Nothing was saved: check what "
    "is left and try again."
)
STALE_SETTINGS = (
    "Someone changed the fund's settings while you were looking at them. Nothing was saved: "
    "check them as they are now and try again."
)


@dataclass(frozen=True)
class FundYear:
    """One financial year of the fund: its budget, what is approved and waiting, what is left."""

    year: int
    budget: int
    approved: int
    waiting: int
    threshold: int

    @property
    def committed(self) -> int:
        """Approved and waiting, in pence."""
        return self.approved + self.waiting

    @property
    def remaining(self) -> int:
        """What is left of the budget, in pence (negative when over it)."""
        return remaining(self.budget, self.committed)

    @property
    def is_default(self) -> bool:
        """Whether the budget is the default (no admin set another)."""
        return self.budget == DEFAULT_BUDGET_PENCE

    @property
    def words(self) -> str:
        """The year in words: "April 2026 to March 2027"."""
        return year_words(self.year)

    @property
    def used_percent(self) -> int:
        """How much of the budget is committed, 0 to 100, for the bar."""
        if self.budget <= 0:
            return 100 if self.committed else 0
        return min(100, round(self.committed * 100 / self.budget))


# --- reading -----------------------------------------------------------------------------


def budget_row(session, year: int) -> HardshipBudget | None:
    """The year's budget row, if one was set."""
    return session.scalar(sa.select(HardshipBudget).where(HardshipBudget.year_starting == year))


def budget_for(session, year: int) -> int:
    """The year's budget in pence: its row's, else DEFAULT_BUDGET_PENCE."""
    row = budget_row(session, year)
    return row.amount_pence if row is not None else DEFAULT_BUDGET_PENCE


def setting_row(session) -> HardshipSetting | None:
    """The fund's one settings row, if set."""
    return session.scalar(sa.select(HardshipSetting).order_by(HardshipSetting.id).limit(1))


def approval_threshold(session) -> int:
    """Above what amount (pence) a payment needs a team leader's approval."""
    row = setting_row(session)
    return row.approval_threshold_pence if row is not None else DEFAULT_THRESHOLD_PENCE


def _waiting_clause():
    """A payment waiting for approval whose request is still waiting, on an open case: a
    request refused or withdrawn on /approvals releases its hold on the budget, and so does
    closing the case (its payment cannot be approved while it is closed; reopening the case
    holds the budget again)."""
    return sa.and_(
        HardshipPayment.status == "awaiting_approval",
        sa.exists().where(Approval.id == HardshipPayment.approval_id, Approval.status == "pending"),
        sa.exists().where(Case.id == HardshipPayment.case_id, Case.status == "open"),
    )


def committed_amounts(session, year: int) -> tuple[int, int]:
    """(approved, waiting) in pence for the year."""
    approved = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(HardshipPayment.amount_pence), 0)).where(
            HardshipPayment.year_starting == year, HardshipPayment.status == "approved"
        )
    )
    waiting = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(HardshipPayment.amount_pence), 0)).where(
            HardshipPayment.year_starting == year, _waiting_clause()
        )
    )
    return int(approved), int(waiting)


def fund_year(session, year: int) -> FundYear:
    """The year's budget, what is committed and the threshold now."""
    row = budget_row(session, year)
    approved, waiting = committed_amounts(session, year)
    return FundYear(
        year=year,
        budget=row.amount_pence if row is not None else DEFAULT_BUDGET_PENCE,
        approved=approved,
        waiting=waiting,
        threshold=approval_threshold(session),
    )


def current_year(now: datetime) -> int:
    """The financial year it is now in the UK."""
    return financial_year_at(now)


def payment_status(payment: HardshipPayment) -> str:
    """A payment's status as it stands. Refusing or withdrawing its request stores the
    payment's status too (``_on_closed``); a payment recorded before that was so still reads
    as its request's decision."""
    approval = payment.approval
    if payment.status == "awaiting_approval" and approval is not None:
        return approval.status if approval.status in ("refused", "withdrawn") else payment.status
    return payment.status


def status_words(payment: HardshipPayment) -> str:
    """A payment's status as it stands, in words."""
    return HARDSHIP_STATUSES[payment_status(payment)]


def case_payments(session, case_id: int) -> list[HardshipPayment]:
    """The case's payments, newest first."""
    return list(
        session.scalars(
            sa.select(HardshipPayment)
            .options(joinedload(HardshipPayment.approval), joinedload(HardshipPayment.requested_by))
            .where(HardshipPayment.case_id == case_id)
            .order_by(HardshipPayment.requested_at.desc(), HardshipPayment.id.desc())
        )
    )


def payment_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not ask for a payment for this case, or None."""
    return case_work_refusal(
        viewer,
        case,
        closed="no payment can be asked for",
        only="ask for a payment from the hardship fund",
    )


def may_see_fund(viewer) -> bool:
    """The fund's page is for team leaders, admins and analysts."""
    return getattr(viewer, "role", None) in FUND_ROLES


def _payments_clause(viewer):
    """The payments listed for ``viewer`` on the fund page: every one for admins and analysts
    (analysts without the case's reference), a team leader's visible cases' only."""
    if viewer.role in ("admin", "analyst"):
        return sa.true()
    if viewer.role == "team_leader":
        return sa.exists().where(Case.id == HardshipPayment.case_id, visible_cases_clause(viewer))
    return sa.false()


def fund_payments(
    session, viewer, year: int, *, page: int, origin: Origin, now: datetime, per_page=PER_PAGE
):
    """The year's payments ``viewer`` may see, newest first, a page of Flask-SQLAlchemy's
    Pagination; the view audited."""
    if not may_see_fund(viewer):
        raise NotFound(None)
    query = (
        sa.select(HardshipPayment)
        .options(
            joinedload(HardshipPayment.case).joinedload(Case.team),
            joinedload(HardshipPayment.approval),
            joinedload(HardshipPayment.requested_by),
        )
        .where(HardshipPayment.year_starting == year, _payments_clause(viewer))
        .order_by(HardshipPayment.requested_at.desc(), HardshipPayment.id.desc())
    )
    found = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    record_event(
        session,
        action="hardship.fund_view",
        actor=viewer,
        origin=origin,
        record_type="hardship_budget",
        record_id=year,
        at=now,
        detail={"year": year, "page": page},
    )
    session.commit()
    return found


def fund_years(session, now: datetime) -> list[int]:
    """The years to choose from: this one and every year with a budget or a payment, newest
    first."""
    years = set(session.scalars(sa.select(HardshipBudget.year_starting)))
    years |= set(session.scalars(sa.select(HardshipPayment.year_starting).distinct()))
    years.add(current_year(now))
    return sorted(years, reverse=True)


def valid_year(year) -> bool:
    """Whether ``year`` names a financial year the fund's pages may show or set."""
    return isinstance(year, int) and FIRST_YEAR <= year <= LAST_YEAR


# --- the year's row: the lock every payment takes ----------------------------------------


def _lock_year(session, year: int, actor, now: datetime) -> HardshipBudget:
    """The year's budget row, held for this transaction: locked FOR UPDATE (PostgreSQL) and its
    version moved on, guarded by the version read, so two payments of one year never both pass
    the balance check on what they read before the other was saved. A year with no row gets
    one, with the default budget."""
    query = (
        sa.select(HardshipBudget)
        .where(HardshipBudget.year_starting == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = session.scalar(query)
    if row is None:
        row = HardshipBudget(
            year_starting=year, amount_pence=DEFAULT_BUDGET_PENCE, set_by_id=actor.id, set_at=now
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # another payment created it at the same moment
            session.rollback()
            raise ValidationError({"": RACE}) from None
        return row
    moved = session.execute(
        sa.update(HardshipBudget)
        .where(HardshipBudget.id == row.id, HardshipBudget.version == row.version)
        .values(version=HardshipBudget.version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        session.rollback()
        raise ValidationError({"": RACE})
    session.refresh(row)
    return row


# --- payments ------------------------------------------------------------------------------


def _clean(text: str | None, field: str, limit: int, what: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ValidationError({field: f"{what} must be {limit:,} characters or fewer"})
    return text


def check_payment(
    amount: str | None, purpose: str | None, detail: str | None, override_reason: str | None
) -> tuple[int, str, str]:
    """A payment's amount (whole pence), detail and any override reason, cleaned; every
    problem at once as a ValidationError. Reads nothing stored, so a form that failed its own
    checks can show these with them."""
    problems: dict[str, str] = {}
    pence = 0
    try:
        pence = pounds_to_pence(amount)
    except ValueError as exc:
        problems["amount"] = str(exc)
    else:
        if pence <= 0:
            problems["amount"] = "Enter an amount more than £0"
    if purpose not in HARDSHIP_PURPOSES:
        problems["purpose"] = "Select what the payment is for"
    detail = (detail or "").strip()
    if not detail:
        problems["detail"] = "Say what the payment is for and why the person needs it"
    elif len(detail) > MAX_DETAIL:
        problems["detail"] = f"The detail must be {MAX_DETAIL:,} characters or fewer"
    reason = (override_reason or "").strip()
    if len(reason) > MAX_REASON:
        problems["override_reason"] = f"The reason must be {MAX_REASON:,} characters or fewer"
    if problems:
        raise ValidationError(problems)
    return pence, detail, reason


def request_payment(
    session,
    case_id: int,
    *,
    amount: str,
    purpose: str,
    detail: str,
    override_reason: str | None = None,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
) -> HardshipPayment:
    """Ask for a payment from the fund for the person of a case (who may work the case). At or
    below the threshold and within the balance it is approved now; above the threshold it waits
    for a team leader. Over the balance it is refused, unless an admin gives the reason for
    paying over the budget. The same form sent twice (``submission_token``: a double click, a
    resend, two at once) asks for one payment, shown again."""
    case = workable_case(session, case_id, actor, origin, now, payment_refusal)
    key = form_key(f"hardship:{actor.id}:{case.id}", submission_token)
    if (earlier := made_by_key(session, HardshipPayment.submission_key, key)) is not None:
        return earlier
    pence, detail, reason = check_payment(amount, purpose, detail, override_reason)

    def pay() -> HardshipPayment:
        year = current_year(now)
        try:
            budget = _lock_year(session, year, actor, now)
        except ValidationError:  # the year moved on under us: perhaps this form's other send
            if (earlier := made_by_key(session, HardshipPayment.submission_key, key)) is not None:
                return earlier
            raise
        # Held: a send of this form at the same moment has committed its payment, or not begun.
        if (earlier := made_by_key(session, HardshipPayment.submission_key, key)) is not None:
            session.rollback()
            return earlier
        waiting = needs_approval(pence, approval_threshold(session))
        if waiting and approvals.pending_for_case(session, case.id, KIND) is not None:
            session.rollback()
            raise ValidationError(
                {
                    "": "A payment for this case is already waiting for approval. Wait for its "
                    "decision or withdraw it first."
                }
            )
        approved, held = committed_amounts(session, year)
        committed = approved + held
        over = over_budget_by(pence, budget.amount_pence, committed)
        if over:
            message = over_budget_message(pence, budget.amount_pence, committed)
            if not is_admin(actor):
                session.rollback()
                raise ValidationError(
                    {"amount": f"{message}. Only an admin can pay over the budget, with a reason."}
                )
            if not reason:
                session.rollback()
                raise ValidationError(
                    {
                        "override_reason": f"{message}. To pay it anyway, give the reason for "
                        "going over the budget."
                    }
                )
        payment = HardshipPayment(
            submission_key=key,
            case_id=case.id,
            year_starting=year,
            amount_pence=pence,
            purpose=purpose,
            detail=detail,
            status="awaiting_approval" if waiting else "approved",
            over_budget_by_id=actor.id if over else None,
            over_budget_reason=reason if over else None,
            requested_by_id=actor.id,
            requested_at=now,
            decided_at=None if waiting else now,
            paid_on=None if waiting else local_today(now),
        )
        session.add(payment)
        session.flush()
        if waiting:
            approval = approvals.request(
                session,
                kind=KIND,
                case=case,
                reason=f"{HARDSHIP_PURPOSES[purpose]}: {detail}"[:MAX_DETAIL],
                detail={"payment_id": payment.id, "amount_pence": pence, "year": year},
                actor=actor,
                origin=origin,
                now=now,
            )
            payment.approval_id = approval.id
        audit_case(
            session,
            case,
            "hardship.payment_requested" if waiting else "hardship.payment_approved",
            actor=actor,
            origin=origin,
            at=now,
            detail={
                "payment_id": payment.id,
                "amount_pence": pence,
                "purpose": purpose,
                "year": year,
                "over_budget_by": over,
            },
        )
        if over:
            audit_case(
                session,
                case,
                "hardship.over_budget",
                actor=actor,
                origin=origin,
                at=now,
                detail={
                    "payment_id": payment.id,
                    "amount_pence": pence,
                    "over_budget_by": over,
                    "budget_pence": budget.amount_pence,
                    "committed_pence": committed,
                    "reason": reason,
                },
            )
        session.commit()
        return payment

    return made_once(session, HardshipPayment.submission_key, key, pay)


def _payment_of(session, case: Case, payment_id: int) -> HardshipPayment:
    payment = session.get(HardshipPayment, payment_id)
    if payment is None or payment.case_id != case.id:
        raise NotFound(payment_id)
    return payment


def withdraw_payment(
    session, case_id: int, payment_id: int, *, actor, origin: Origin, now: datetime
) -> HardshipPayment:
    """The person who asked takes back a payment still waiting for approval: its hold on the
    budget is released."""
    case = viewable_case(session, case_id, actor, origin, now)
    payment = _payment_of(session, case, payment_id)
    if payment_status(payment) != "awaiting_approval":
        raise ValidationError({"": "This payment is no longer waiting for approval"})
    if payment.requested_by_id != actor.id:
        raise ValidationError({"": "Only the person who asked for the payment can withdraw it"})
    # Withdrawing the request withdraws the payment (``_on_closed``), in one transaction.
    approvals.withdraw(session, payment.approval_id, actor=actor, origin=origin, now=now)
    return payment


def _on_approved(session, approval: Approval, actor, origin: Origin, now: datetime) -> None:
    """A team leader approved a payment: it is approved if it still fits the year's balance
    (without itself), else refused with the numbers and nothing changes."""
    payment = session.scalar(
        sa.select(HardshipPayment).where(HardshipPayment.approval_id == approval.id)
    )
    if payment is None or payment.status != "awaiting_approval":
        raise ValidationError({"": "This payment is no longer waiting for approval"})
    case = session.get(Case, payment.case_id)
    if case is None or case.status != "open":
        raise ValidationError(
            {
                "": "This case is closed, so no payment can be made from it. Refuse the "
                "request, or reopen the case first."
            }
        )
    budget = _lock_year(session, payment.year_starting, actor, now)
    # The request is approved in this transaction already, so the payment is not among those
    # waiting: what is committed is everyone else's.
    approved, held = committed_amounts(session, payment.year_starting)
    others = approved + held
    if payment.over_budget_reason is None and over_budget_by(
        payment.amount_pence, budget.amount_pence, others
    ):
        raise ValidationError(
            {
                "": "This payment no longer fits the fund: "
                + over_budget_message(payment.amount_pence, budget.amount_pence, others)
                + ". Refuse it, or ask an admin."
            }
        )
    payment.status = "approved"
    payment.decided_at = now
    payment.paid_on = local_today(now)
    audit_case(
        session,
        case,
        "hardship.payment_approved",
        actor=actor,
        origin=origin,
        at=now,
        detail={
            "payment_id": payment.id,
            "amount_pence": payment.amount_pence,
            "purpose": payment.purpose,
            "year": payment.year_starting,
            "approval_id": approval.id,
        },
    )


def _on_closed(session, approval: Approval, actor, origin: Origin, now: datetime) -> None:
    """A payment's request was refused or withdrawn: the payment is stored as that, its hold
    on the budget released, and the case's timeline says so."""
    payment = session.scalar(
        sa.select(HardshipPayment).where(HardshipPayment.approval_id == approval.id)
    )
    if payment is None or payment.status != "awaiting_approval":
        return
    payment.status = "refused" if approval.status == "refused" else "withdrawn"
    payment.decided_at = now
    audit_case(
        session,
        session.get(Case, payment.case_id),
        f"hardship.payment_{payment.status}",
        actor=actor,
        origin=origin,
        at=now,
        detail={
            "payment_id": payment.id,
            "amount_pence": payment.amount_pence,
            "approval_id": approval.id,
        },
    )


def _describe(approval: Approval) -> str:
    amount = pence_to_pounds((approval.detail or {}).get("amount_pence"))
    reference = approval.case.reference if approval.case is not None else "a case"
    return f"Hardship payment of {amount} for {reference}".replace("  ", " ")


approvals.register(KIND, _on_approved, _describe, _on_closed)


# --- settings (admins) -----------------------------------------------------------------------


def _only_admins(actor) -> None:
    if not is_admin(actor):
        raise ValidationError({"": "Only an admin can change the hardship fund's settings"})


def _amount(text: str, field: str, what: str) -> int:
    try:
        return setting_pounds_to_pence(text, what)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None


@refuse_stale(lambda: ValidationError({"": STALE_SETTINGS}))
def set_budget(
    session,
    year: int,
    amount: str,
    *,
    seen_pence: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> HardshipBudget:
    """An admin sets the budget of financial year ``year``. Refused when the budget changed
    since the form was shown (``seen_pence``, the budget the admin saw) or is set below what is
    already committed that year (with the numbers)."""
    _only_admins(actor)
    if not valid_year(year):
        raise ValidationError({"year": "Choose a financial year"})
    pence = _amount(amount, "budget", "a budget")
    row = session.scalar(
        sa.select(HardshipBudget)
        .where(HardshipBudget.year_starting == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    before = row.amount_pence if row is not None else DEFAULT_BUDGET_PENCE
    if seen_pence is None or seen_pence != before:
        raise ValidationError({"": STALE_SETTINGS})
    approved, held = committed_amounts(session, year)
    if pence < approved + held:
        raise ValidationError(
            {
                "budget": f"The budget cannot be less than the {pence_to_pounds(approved + held)} "
                f"already committed in {year_words(year)} ({pence_to_pounds(approved)} approved, "
                f"{pence_to_pounds(held)} waiting for approval)"
            }
        )
    if row is None:
        row = HardshipBudget(year_starting=year, amount_pence=pence, set_by_id=actor.id, set_at=now)
        session.add(row)
    else:
        row.amount_pence, row.set_by_id, row.set_at = pence, actor.id, now
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ValidationError({"": STALE_SETTINGS}) from None
    record_event(
        session,
        action="hardship.budget_set",
        actor=actor,
        origin=origin,
        record_type="hardship_budget",
        record_id=year,
        at=now,
        detail={"year": year, "from_pence": before, "to_pence": pence},
    )
    session.commit()
    return row


@refuse_stale(lambda: ValidationError({"": STALE_SETTINGS}))
def set_threshold(
    session,
    amount: str,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> HardshipSetting:
    """An admin sets above what amount a payment needs a team leader's approval. The form's
    version (0 when no setting was saved yet) must be the one saved now."""
    _only_admins(actor)
    pence = _amount(amount, "threshold", "a threshold")
    row = setting_row(session)
    if expected_version != (row.version if row is not None else 0):
        raise ValidationError({"": STALE_SETTINGS})
    before = row.approval_threshold_pence if row is not None else DEFAULT_THRESHOLD_PENCE
    if row is None:
        # One row, id 1: a second admin saving the first setting at the same moment collides.
        row = HardshipSetting(
            id=1, approval_threshold_pence=pence, updated_by_id=actor.id, updated_at=now
        )
        session.add(row)
    else:
        row.approval_threshold_pence, row.updated_by_id, row.updated_at = pence, actor.id, now
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ValidationError({"": STALE_SETTINGS}) from None
    record_event(
        session,
        action="hardship.threshold_set",
        actor=actor,
        origin=origin,
        record_type="hardship_setting",
        record_id=row.id,
        at=now,
        detail={"from_pence": before, "to_pence": pence},
    )
    session.commit()
    return row
