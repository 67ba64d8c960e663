"""The guidance shown beside each traffic-light and continuum choice when an advisor places a
behaviour: Waypoint's own short wording, seeded by the migration and editable by admins.

The two scales are the Brook sexual behaviours traffic light tool (Brook, 2012, after Family
Planning Queensland) and Hackett's continuum of children's sexual behaviours (Hackett, 2010). The
wording below is ours, written to prompt the advisor's conversation; it does not reproduce
either tool, and advisors are expected to know the tools themselves.
"""

from __future__ import annotations

DEFAULT_GUIDANCE = {
    "traffic_light:green": (
        "Behaviour that fits the child's age and development, is shared between children of "
        "similar age and understanding, and is mutual. Reassure; explain how adults can respond "
        "calmly and use it to talk about bodies, privacy and consent."
    ),
    "traffic_light:amber": (
        "Behaviour outside what is expected for the child's age, or with a difference in age, "
        "power or understanding, or repeated after being addressed. Gather more information, "
        "record it, and agree who will monitor and support the children involved."
    ),
    "traffic_light:red": (
        "Behaviour involving force, threats, secrecy, a large difference in age or ability, or "
        "harm. Follow the setting's safeguarding procedures now; discuss a referral to children's "
        "social care or the police and record the decision."
    ),
    "continuum:normal": (
        "Developmentally expected and socially acceptable, consensual, mutual and reciprocal. "
        "No safeguarding action beyond ordinary guidance."
    ),
    "continuum:inappropriate": (
        "A single instance or a few instances of behaviour that is not acceptable in the context, "
        "but generally consensual and reciprocal. Respond, explain boundaries, and watch for "
        "repetition."
    ),
    "continuum:problematic": (
        "Developmentally unusual or socially unexpected, possibly compulsive, with no overt "
        "force but some difference in power or understanding. Plan a response with the child, "
        "the family and the setting; consider specialist advice."
    ),
    "continuum:abusive": (
        "Intrusive, involving manipulation, coercion or a lack of informed consent. Consider the "
        "risk of significant harm to any child; discuss a referral to children's social care or "
        "the police."
    ),
    "continuum:violent": (
        "Physically violent sexual abuse, highly intrusive, possibly sadistic. Treat as a "
        "safeguarding emergency: refer to children's social care and the police."
    ),
}
