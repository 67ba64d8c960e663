"""Demo cases at each stage of support (issue 13 part 8), so the Assessment, Support plan and
Closure tabs, the team view and /approvals show real-looking content on first run: assessed,
planned, reviewed, reassessed (distance travelled), closed, and a closure waiting for approval;
one of them open over a month with its plan for reducing support due.

Every step goes through the services the pages call, each with a past ``now`` so the dates
look real. The one thing done by direct update is backdating each referral's receipt before its
first conversation: the demo police download arrives today, and a case cannot be opened (or
assessed) before its referral came in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from casework.audit import Origin

ORIGIN_NAME = "demo seed"

# 1 in crisis .. 5 no need (triage.needs.SCALE), in triage.needs.AREAS order.
FIRST_SCORES = {
    "personal_safety": 2,
    "mental_health": 1,
    "accommodation": 3,
    "drugs_alcohol": 4,
    "family": 3,
    "education_employment": 2,
    "finance": 2,
    "outlook": 2,
    "social": 3,
}
# Months later: most areas better, family worse (a relative moved out), one unchanged.
LATER_SCORES = {
    "personal_safety": 4,
    "mental_health": 3,
    "accommodation": 4,
    "drugs_alcohol": 4,
    "family": 2,
    "education_employment": 3,
    "finance": 4,
    "outlook": 4,
    "social": 4,
}
OWN_WORDS = {
    "personal_safety": "I don't feel safe walking home since it happened.",
    "mental_health": "I can't sleep and I keep going over it.",
    "finance": "I lost two weeks' pay and the rent is due.",
}
PRIORITIES = ("personal_safety", "mental_health", "finance")
# What successive reviews say: how it is going, and each open action's progress.
REVIEW_WORDS = (
    ("Early days: still very anxious.", "Started; first call made."),
    ("Sleeping a little better.", "Under way; waiting to hear back."),
    ("Back at work part time.", "Nearly there; one appointment left."),
    ("Feels safer at home now the locks are fitted.", "Going well; checked in last week."),
)


@dataclass(frozen=True)
class Stage:
    """One demo case: whose, how many days ago it opened, and how far its support has gone."""

    worker: str
    opened_days_ago: int
    stage: str


# The order the referrals are taken in; the stage names are what seed_demo_journeys does.
STAGES = (
    Stage("sam.caseworker@waypoint.example", 9, "assessed"),
    Stage("jo.caseworker@waypoint.example", 21, "planned"),
    Stage("jo.caseworker@waypoint.example", 60, "reviewed"),  # open > a month: resilience due
    Stage("sam.caseworker@waypoint.example", 185, "reassessed"),
    Stage("sam.caseworker@waypoint.example", 200, "closed"),
    Stage("jo.caseworker@waypoint.example", 190, "awaiting_approval"),
)


class _Journey:
    """The services, bound to the calendar, the seed's real ``now`` and one case."""

    def __init__(self, session, calendar, now: datetime, leader, worker):
        self.session, self.calendar, self.now = session, calendar, now
        self.leader, self.worker = leader, worker
        self.origin = Origin.command_line(ORIGIN_NAME)
        self.today = calendar.local_date(now)
        self.case_id: int | None = None

    def at(self, days_ago: int, hour: int = 11) -> datetime:
        """A weekday ``days_ago`` (or the Friday before), at ``hour`` UK time, as UTC; never
        after the seed's ``now``."""
        day = self.today - timedelta(days=days_ago)
        day -= timedelta(days=max(0, day.weekday() - 4))
        moment = datetime.combine(day, time(hour), tzinfo=self.calendar.tz)
        return min(moment.astimezone(self.now.tzinfo), self.now - timedelta(minutes=5))

    def day(self, days_ago: int) -> date:
        return self.calendar.local_date(self.at(days_ago))

    def open(self, referral_id: int, days_ago: int) -> None:
        """Allocate, call and hold the first conversation ``days_ago``: the case opens."""
        from casework.contact.recording import record_attempt, record_conversation
        from casework.referrals.decisions import allocate
        from casework.referrals.models import Referral

        spoke = self.at(days_ago, 10)
        received = spoke - timedelta(days=2)
        # Backdated by direct update (no service moves a referral's receipt): the demo download
        # arrived today, and the conversation cannot be held before the referral came in.
        referral = self.session.get(Referral, referral_id)
        referral.received_at = referral.created_at = received
        if referral.occurred_on is not None and referral.occurred_on > received.date():
            referral.occurred_on = received.date() - timedelta(days=1)
        self.session.commit()
        common = {"origin": self.origin, "now": spoke - timedelta(minutes=40)}
        allocate(self.session, referral_id, self.worker.id, actor=self.leader, **common)
        common = {"actor": self.worker, "origin": self.origin, "calendar": self.calendar}
        record_attempt(
            self.session,
            referral_id,
            channel="telephone",
            outcome="spoke",
            at=spoke,
            notes=None,
            now=spoke + timedelta(minutes=20),
            **common,
        )
        record_conversation(
            self.session,
            referral_id,
            outcome="further_support",
            key_risks="Worried the offender knows where they live.",
            held_at=spoke,
            booked_at=spoke + timedelta(hours=4),
            passed_to=None,
            now=spoke + timedelta(minutes=25),
            **common,
        )
        self.case_id = self.session.get(Referral, referral_id).case_id

    def assess(self, days_ago: int, scores: dict[str, int], mode: str = "telephone") -> None:
        from casework.assessments.details import AreaAnswer, AssessmentDetails
        from casework.assessments.recording import start_assessment

        first = scores is FIRST_SCORES
        areas = {
            area: AreaAnswer(
                score=score,
                own_words=OWN_WORDS.get(area) if first else None,
                priority=first and area in PRIORITIES,
            )
            for area, score in scores.items()
        }
        start_assessment(
            self.session,
            self.case_id,
            AssessmentDetails(
                areas=areas, held_on=self.day(days_ago), mode=mode, worker_id=self.worker.id
            ),
            young_person=False,
            complete=True,
            actor=self.worker,
            origin=self.origin,
            now=self.at(days_ago, 15),
            calendar=self.calendar,
        )

    def plan(self, days_ago: int) -> None:
        """The plan from the assessment's three priorities, the finance one dropped, and two
        actions added: one owned by a partner agency when there is one."""
        from casework.plans.actions import ActionDetails, add_action, partner_agencies
        from casework.plans.plan import create_plan, for_creating

        now = self.at(days_ago, 16)
        proposals = for_creating(
            self.session, self.case_id, self.worker, origin=self.origin, now=now
        ).proposals
        made = self.day(days_ago)
        actions = [
            (
                p.area,
                None
                if p.area == "finance"
                else ActionDetails(p.description, due_on=made + timedelta(days=14 + 7 * n)),
            )
            for n, p in enumerate(proposals)
        ]
        create_plan(
            self.session,
            self.case_id,
            goals="To feel safe at home again and get back to work.",
            actions=actions,
            actor=self.worker,
            origin=self.origin,
            now=now,
            calendar=self.calendar,
        )
        partners = partner_agencies(self.session)
        added = [
            ActionDetails(
                "Apply for a hardship grant for the lost wages", due_on=made + timedelta(days=10)
            ),
            ActionDetails(
                "Refer for a target-hardening visit (locks and a door camera)",
                owner_kind="partner" if partners else "caseworker",
                partner_id=partners[0].id if partners else None,
                # 19 days: the planned case's plan is 16 days old, or 18 when those days ended
                # on a weekend, and only its second action is to be overdue.
                due_on=made + timedelta(days=19),
            ),
        ]
        for details in added:
            add_action(
                self.session,
                self.case_id,
                details,
                actor=self.worker,
                origin=self.origin,
                now=now + timedelta(minutes=10),
            )

    def actions(self):
        from casework.plans.models import PlanAction

        return list(
            self.session.scalars(
                sa.select(PlanAction)
                .where(PlanAction.case_id == self.case_id)
                .order_by(PlanAction.id)
            )
        )

    def edit(self, action, days_ago: int, hour: int = 12, **changes) -> None:
        from casework.plans.actions import ActionDetails, edit_action

        details = ActionDetails(
            changes.get("description", action.description),
            action.owner_kind,
            action.owner_staff_id,
            action.owner_partner_id,
            changes.get("due_on", action.due_on),
            changes.get("status", action.status),
            changes.get("status_reason", action.status_reason),
        )
        edit_action(
            self.session,
            self.case_id,
            action.id,
            details,
            expected_version=action.version,
            actor=self.worker,
            origin=self.origin,
            now=self.at(days_ago, hour),
        )

    def review(
        self,
        days_ago: int,
        *,
        settle: bool = False,
        notes: str,
        progress_words: str = "Under way; we spoke about it this week.",
    ) -> None:
        """A review: open actions in progress (or, with ``settle``, done)."""
        from casework.plans.access import plan_of
        from casework.plans.models import OPEN_ACTION_STATUSES
        from casework.plans.reviews import ReviewDetails, record_review

        progress = {
            a.id: (
                "Confirmed with them on the phone." if settle else progress_words,
                "done" if settle else "in_progress",
            )
            for a in self.actions()
            if a.status in OPEN_ACTION_STATUSES
        }
        record_review(
            self.session,
            self.case_id,
            ReviewDetails(
                held_on=self.day(days_ago),
                notes=notes,
                prompts_reassessment=False,
                progress=progress,
            ),
            expected_version=plan_of(self.session, self.case_id).version,
            actor=self.worker,
            origin=self.origin,
            now=self.at(days_ago, 14),
            calendar=self.calendar,
        )

    def reviews_every_four_weeks(self, first_days_ago: int, last_days_ago: int, settle) -> None:
        """Reviews four weeks apart; with ``settle`` the last one settles every action."""
        days = list(range(first_days_ago, last_days_ago - 1, -28))
        for n, days_ago in enumerate(days):
            last = settle and n == len(days) - 1
            notes, words = REVIEW_WORDS[n % len(REVIEW_WORDS)]
            if last:
                notes = "All settled: they feel ready to manage on their own."
            self.review(days_ago, settle=last, notes=notes, progress_words=words)


def seed_demo_journeys(session, calendar, now: datetime, referral_ids: list[int]) -> int:
    """A case at each stage (STAGES) from ``referral_ids`` (police referrals, not yet
    contacted, adults), each taken to its stage through the real services; how many."""
    from casework.caseloads.settings import set_pick_up, team_settings
    from casework.closure.closing import request_closure
    from casework.plans.actions import ActionDetails, add_action
    from casework.plans.resilience import record_resilience_plan
    from casework.staff.models import Staff

    staff = {s.email: s for s in session.scalars(sa.select(Staff))}
    leader = staff.get("lead.city@waypoint.example")
    if leader is None:
        return 0
    done = 0
    for stage, referral_id in zip(STAGES, referral_ids, strict=False):
        j = _Journey(session, calendar, now, leader, staff[stage.worker])
        opened = stage.opened_days_ago
        j.open(referral_id, opened)
        j.assess(opened - 4, FIRST_SCORES)
        if stage.stage == "planned":
            j.plan(opened - 5)
            first, second, grant, visit = j.actions()
            j.edit(grant, 6, status="done")
            j.edit(first, 5, status="in_progress", due_on=j.today + timedelta(days=10))
            # ``second`` stays to do, and is now overdue: a week past its due date.
            j.edit(second, 4, due_on=j.day(7))
        elif stage.stage == "reviewed":
            j.plan(opened - 5)
            j.review(opened - 33, notes="Locks fitted; still not sleeping well.")
            for action in j.actions():  # new dates agreed at the review
                j.edit(action, opened - 33, hour=16, due_on=j.today + timedelta(days=14))
        elif stage.stage in ("reassessed", "closed", "awaiting_approval"):
            j.plan(opened - 5)
            # The last review settles the actions; the reassessment follows it.
            last_review = {"reassessed": 11, "closed": 26, "awaiting_approval": 16}[stage.stage]
            j.reviews_every_four_weeks(opened - 33, last_review, settle=True)
            record_resilience_plan(
                session,
                j.case_id,
                plan="Calls every fortnight, then monthly; a volunteer for the court visit.",
                volunteer="A court volunteer goes with them to the hearing.",
                actor=j.worker,
                origin=j.origin,
                now=j.at(opened - 40),
            )
            again = {"reassessed": 10, "closed": 20, "awaiting_approval": 6}[stage.stage]
            j.assess(again, LATER_SCORES, mode="face_to_face")
            if stage.stage == "reassessed":
                # Family scored worse at the reassessment: a new action for it.
                add_action(
                    session,
                    j.case_id,
                    ActionDetails(
                        "Family: refer to the family support service now her brother has moved out",
                        due_on=j.day(9) + timedelta(days=21),
                    ),
                    actor=j.worker,
                    origin=j.origin,
                    now=j.at(9),
                )
            elif stage.stage == "closed":
                request_closure(
                    session,
                    j.case_id,
                    reason="support_complete",
                    words=None,
                    actor=j.worker,
                    origin=j.origin,
                    now=j.at(7),
                )
            elif stage.stage == "awaiting_approval":
                # The City team's leader approves every closure from now on, so Jo's request
                # waits on /approvals (the team's setting, changed through its own service).
                settings = team_settings(session, leader.team_id)
                set_pick_up(
                    session,
                    leader.team_id,
                    caseworkers_pick_up=bool(settings.caseworkers_pick_up),
                    version=settings.version,
                    actor=leader,
                    origin=j.origin,
                    now=j.at(1, 9),
                    closure_needs_approval=True,
                )
                request_closure(
                    session,
                    j.case_id,
                    reason="support_complete",
                    words=None,
                    actor=j.worker,
                    origin=j.origin,
                    now=j.at(1, 10),
                )
        done += 1
    return done
