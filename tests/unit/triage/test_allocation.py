from hypothesis import given
from hypothesis import strategies as st

from triage.allocation import AllocationNeeds, CaseworkerProfile, rank_caseworkers

SAM = CaseworkerProfile(
    1,
    "Sam",
    frozenset({"children_young_people", "hate_crime"}),
    8,
    "Leicester East",
    "male",
    frozenset({"Polish"}),
)
JO = CaseworkerProfile(2, "Jo", frozenset({"domestic_abuse"}), 2, "Leicester West", "female")
DEE = CaseworkerProfile(3, "Dee", frozenset({"children_young_people"}), 1, "Rutland", "female")


def test_specialism_ranks_first_with_reasons():
    ranked = rank_caseworkers(
        AllocationNeeds(specialisms=("children_young_people", "hate_crime")), [JO, DEE, SAM]
    )
    assert [s.name for s in ranked] == ["Sam", "Dee", "Jo"]
    assert "specialism: hate crime" in ranked[0].reasons
    assert "caseload of 8 (open cases and referrals)" in ranked[0].reasons


def test_stated_preferences_count():
    ranked = rank_caseworkers(
        AllocationNeeds(preferred_gender="Female", preferred_language="polish"), [SAM, JO]
    )
    assert ranked[0].name == "Jo"
    assert "matches the victim's preferred gender of worker" in ranked[0].reasons
    assert "speaks polish" in ranked[1].reasons


def test_lighter_caseload_breaks_ties():
    ranked = rank_caseworkers(AllocationNeeds(), [JO, DEE])
    assert [s.name for s in ranked] == ["Dee", "Jo"]


workers = st.lists(
    st.builds(
        CaseworkerProfile,
        id=st.integers(1, 10_000),
        name=st.text(min_size=1, max_size=5),
        specialisms=st.frozensets(st.sampled_from(["children_young_people", "hate_crime"])),
        open_caseload=st.integers(0, 60),
    ),
    max_size=8,
    unique_by=lambda w: w.id,
)


@given(workers)
def test_a_specialist_never_ranks_below_a_non_specialist_with_the_same_caseload(pool):
    ranked = rank_caseworkers(AllocationNeeds(specialisms=("hate_crime",)), pool)
    assert len(ranked) == len(pool)
    by_id = {w.id: w for w in pool}
    for i, a in enumerate(ranked):
        for b in ranked[i + 1 :]:
            wa, wb = by_id[a.caseworker_id], by_id[b.caseworker_id]
            if wb.open_caseload == wa.open_caseload:
                assert not ("hate_crime" in wb.specialisms and "hate_crime" not in wa.specialisms)
