"""The report's "Who owns what, who changed what" section: owners and on-call with their
sources, each recent deploy with who, version, commit and PR, placed before the action items;
nothing when the graph knows none of the services."""

from __future__ import annotations

from datetime import UTC, datetime

from nightowl.domain.graph import ChangeRef, EntityKind, OwnerRef, ServiceCard
from nightowl.report.people import TITLE, section, with_people

AT = datetime(2026, 11, 20, 2, 40, tzinfo=UTC)
CARD = ServiceCard(
    service="payments",
    known=True,
    owners=(OwnerRef(name="acme/pay", kind=EntityKind.TEAM, sources=("github", "k8s")),),
    fan_in=3,
    changes=(
        ChangeRef(
            service="payments",
            version="v3.1.0",
            previous_version="v3.0.9",
            at=AT,
            author="bob",
            commit="9f2c1e7a0000aaaa",
            pr="812",
            source="github",
        ),
    ),
)


def test_the_section_names_owners_and_who_changed_what() -> None:
    text = section([CARD])
    assert text.startswith(TITLE)
    assert (
        "**payments** — owners: acme/pay (github, k8s); on call: nobody known; 3 service(s)" in text
    )
    assert (
        "2026-11-20 02:40 UTC: bob deployed v3.1.0 (was v3.0.9, commit `9f2c1e7a0000`, PR #812)"
        in text
    )


def test_it_goes_before_the_action_items_or_at_the_end() -> None:
    report = "# R\n\n## Impact\n\nx\n\n## Action items\n\n- y\n"
    placed = with_people(report, [CARD])
    assert placed.index(TITLE) < placed.index("## Action items")
    assert placed.endswith("- y\n")
    assert with_people("# R\n", [CARD]).endswith(section([CARD]))


def test_nothing_when_the_graph_knows_none_of_the_services() -> None:
    unknown = ServiceCard(service="ghost", known=False)
    assert section([unknown]) == ""
    assert with_people("# R\n", [unknown]) == "# R\n"
