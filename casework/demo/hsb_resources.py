"""The demo's HSB resource directory and evidence of local practice (issue 16): realistic
national resources, two fictional local contacts (marked as such), one retired resource hidden
with its reason, a few resources given to contacts the demo already has, and a few entries of
evidence of local practice. Idempotent: nothing is added twice."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from casework.audit import Origin, record_event
from casework.hsb.evidence import clean_fields as clean_evidence
from casework.hsb.models import AdviceContact, AdviceResource, PracticeEvidence, ResourceGiven
from casework.hsb.resources import clean_fields as clean_resource
from casework.staff.models import Staff

ADVISOR_EMAIL = "hsb.advisor@waypoint.example"

RESOURCES = [
    {
        "title": "NSPCC helpline for professionals",
        "url": "https://www.nspcc.org.uk/keeping-children-safe/reporting-abuse/",
        "description": "Advice for anyone worried about a child, including professionals "
        "unsure whether a child's sexual behaviour is harmful. Phone 0808 800 5000.",
        "kind": "contact",
        "audiences": ["dsl", "senior_leaders", "early_years", "social_work", "health"],
        "topic": "support_services",
    },
    {
        "title": "Brook sexual behaviours traffic light tool",
        "url": "https://www.brook.org.uk/training/wider-professional-training/"
        "sexual-behaviours-traffic-light-tool/",
        "description": "Helps professionals identify and respond to children's sexual "
        "behaviours as green, amber or red, by age group.",
        "kind": "material",
        "audiences": ["dsl", "early_years", "health", "social_work"],
        "topic": "identifying",
    },
    {
        "title": "Stop It Now helpline (Lucy Faithfull Foundation)",
        "url": "https://www.stopitnow.org.uk/",
        "description": "Confidential advice for parents, carers and professionals worried "
        "about a child's or young person's sexual behaviour.",
        "kind": "contact",
        "audiences": ["parents", "dsl", "social_work"],
        "topic": "support_services",
    },
    {
        "title": "CEOP Safety Centre: report online sexual abuse",
        "url": "https://www.ceop.police.uk/Safety-Centre/",
        "description": "The National Crime Agency's reporting route for online sexual abuse "
        "and grooming, with advice for young people, parents and professionals.",
        "kind": "link",
        "audiences": ["young_people", "parents", "dsl", "police"],
        "topic": "online",
    },
    {
        "title": "Report Remove (Childline and the Internet Watch Foundation)",
        "url": "https://www.childline.org.uk/info-advice/bullying-abuse-safety/"
        "online-mobile-safety/remove-nude-image-shared-online/",
        "description": "Helps young people under 18 get nude images of themselves removed "
        "from the internet.",
        "kind": "link",
        "audiences": ["young_people", "dsl", "parents"],
        "topic": "online",
    },
    {
        "title": "UK Safer Internet Centre: Professionals Online Safety Helpline",
        "url": "https://saferinternet.org.uk/professionals-online-safety-helpline",
        "description": "Advice for the children's workforce on online safety issues, "
        "including image sharing and harmful content.",
        "kind": "contact",
        "audiences": ["dsl", "senior_leaders", "police", "social_work"],
        "topic": "online",
    },
    {
        "title": "Keeping children safe in education (Department for Education)",
        "url": "https://www.gov.uk/government/publications/keeping-children-safe-in-education--2",
        "description": "Statutory guidance for schools and colleges, including child-on-child "
        "abuse and sexual violence and sexual harassment between children.",
        "kind": "material",
        "audiences": ["dsl", "senior_leaders"],
        "topic": "policy",
    },
    {
        "title": "Prevent referrals and advice (fictional local contact)",
        "url": None,
        "description": "FICTIONAL – demo data only. The Westshire Prevent team takes "
        "referrals and gives advice on radicalisation concerns. Phone 0113 496 0123.",
        "kind": "contact",
        "audiences": ["dsl", "police", "social_work"],
        "topic": "radicalisation",
        "region": "yorkshire_humber",
        "local_authority": "Westshire (fictional)",
    },
    {
        "title": "Northby children's front door (fictional local contact)",
        "url": None,
        "description": "FICTIONAL – demo data only. Northby's multi-agency safeguarding hub "
        "for referrals to children's social care. Phone 0161 496 0456.",
        "kind": "contact",
        "audiences": ["dsl", "early_years", "health"],
        "topic": "responding",
        "region": "north_west",
        "local_authority": "Northby (fictional)",
    },
]
RETIRED = {
    "title": "HSB toolkit 2019 (retired)",
    "url": "https://www.example.org/hsb-toolkit-2019",
    "description": "An older toolkit, replaced by current guidance.",
    "kind": "material",
    "audiences": ["dsl"],
    "topic": "responding",
}
RETIRED_REASON = "Replaced by current guidance; the old link no longer works"

EVIDENCE = [
    {
        "kind": "good_practice",
        "themes": ["training", "leadership"],
        "region": "north_west",
        "local_authority": "Northby (fictional)",
        "setting_type": "primary",
        "summary": "The headteacher runs termly HSB briefings for every member of staff, "
        "using the traffic light tool with anonymised scenarios.",
    },
    {
        "kind": "challenge",
        "themes": ["online", "identification"],
        "region": "london",
        "setting_type": "secondary",
        "summary": "Staff are unsure how to respond when nude images are shared in group "
        "chats outside school hours.",
    },
    {
        "kind": "barrier",
        "themes": ["information_sharing", "thresholds"],
        "region": "yorkshire_humber",
        "local_authority": "Westshire (fictional)",
        "setting_type": "secondary",
        "summary": "Schools are rarely told the outcome of referrals to children's social "
        "care, so they cannot plan support or safety measures.",
    },
    {
        "kind": "barrier",
        "themes": ["capacity"],
        "region": "east_midlands",
        "setting_type": "early_years",
        "summary": "Early years settings report long waits for specialist HSB assessment.",
    },
]


def _resource(values: dict, advisor, now: datetime, **extra) -> AdviceResource:
    fields = clean_resource(
        **{"url": None, "region": None, "local_authority": None, **values},
    )
    return AdviceResource(
        **fields, created_by_id=advisor.id, created_at=now, updated_at=now, **extra
    )


def seed_demo_hsb_resources(session, now: datetime) -> str:
    """The demo's resource directory and evidence of local practice, once; one line saying what
    was added."""
    advisor = session.scalar(sa.select(Staff).where(Staff.email == ADVISOR_EMAIL))
    if advisor is None:
        return "Demo HSB resources: skipped (no HSB advisor in the demo)"
    origin = Origin.command_line("demo seed")
    added_resources = added_evidence = given = 0
    if not session.scalar(sa.select(sa.func.count()).select_from(AdviceResource)):
        resources = [_resource(r, advisor, now, hidden=False) for r in RESOURCES]
        resources.append(
            _resource(RETIRED, advisor, now, hidden=True, hidden_reason=RETIRED_REASON)
        )
        session.add_all(resources)
        session.flush()
        added_resources = len(resources)
        # Give a few (the retired one among them, before it was retired) to contacts the demo
        # already has, so the directory shows counts.
        contacts = list(
            session.scalars(
                sa.select(AdviceContact)
                .where(
                    AdviceContact.anonymised_at.is_(None),
                    # Only contacts where advice was given: never a missed call.
                    AdviceContact.advised_at.is_not(None),
                )
                .order_by(AdviceContact.id)
                .limit(4)
            )
        )
        for n, contact in enumerate(contacts):
            for resource in (resources[0], resources[1 + n % 3], resources[-1]):
                session.add(
                    ResourceGiven(
                        resource_id=resource.id,
                        contact_id=contact.id,
                        given_at=contact.advised_at,
                        given_by_id=advisor.id,
                    )
                )
                given += 1
        for resource in resources:
            record_event(
                session,
                action="advice_resource.created",
                actor=advisor,
                origin=origin,
                record_type="advice_resource",
                record_id=resource.id,
                detail={"title": resource.title, "kind": resource.kind, "demo": True},
                at=now,
            )
    if not session.scalar(sa.select(sa.func.count()).select_from(PracticeEvidence)):
        for days_ago, values in zip((40, 21, 9, 2), EVIDENCE, strict=True):
            fields = clean_evidence(
                **{"region": None, "local_authority": None, "setting_type": None, **values}
            )
            entry = PracticeEvidence(
                **fields, recorded_by_id=advisor.id, recorded_at=now - timedelta(days=days_ago)
            )
            session.add(entry)
            session.flush()
            record_event(
                session,
                action="practice_evidence.recorded",
                actor=advisor,
                origin=origin,
                record_type="practice_evidence",
                record_id=entry.id,
                detail={"kind": entry.kind, "demo": True},
                at=now,
            )
            added_evidence += 1
    session.commit()
    return (
        f"Demo HSB resources: {added_resources} directory entries"
        f"{' (1 hidden)' if added_resources else ''}, "
        f"{given} given to contacts, {added_evidence} evidence of local practice"
    )
