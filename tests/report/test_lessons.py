"""Lessons and action items: facts where the record has them, marked prompts where it has not."""

from __future__ import annotations

from datetime import timedelta

from nightowl.domain import Deploy, IncidentStatus, Observations, Unavailable, Verdict
from nightowl.report.postmortem import Sources, build
from tests.domain.test_outcome import SPEC, decision, previewed
from tests.report.test_markdown import T, incident


def observations() -> Observations:
    return Observations(
        service="checkout",
        start=T - timedelta(hours=1),
        end=T,
        services=("checkout",),
        deploys=(
            Deploy(
                service="checkout", version="v2.4.1", at=T - timedelta(minutes=11), author="sam"
            ),
        ),
        unavailable=(Unavailable(source="loki", what="logs", reason="connection refused"),),
    )


def test_a_dry_run_is_what_went_badly_and_the_first_action_item() -> None:
    inc = incident(
        status=IncidentStatus.ESCALATED,
        plan=(SPEC,),
        decisions=(decision(Verdict.ALLOW),),
        actions=(previewed(),),
        verification=None,
    )

    report = build(inc, Sources(observations=observations()))

    assert report.went_badly[0].text.startswith("dry run: the rollback of checkout to v2.3.9")
    first = report.action_items[0]
    assert (first.priority, first.kind) == ("P1", "mitigate")
    assert first.text.startswith("A human must run it: kubectl rollout undo")


def test_the_deploys_author_owns_the_fix_and_an_unreadable_source_is_an_item() -> None:
    report = build(incident(), Sources(observations=observations()))

    fix = next(a for a in report.action_items if a.text.startswith("Find and fix"))
    assert (fix.owner, fix.priority) == ("sam", "P1")
    assert any(
        x.text == "loki could not be read (logs): connection refused" for x in report.went_badly
    )
    assert any(a.text == "Restore nightowl's access to loki (logs)" for a in report.action_items)


def test_judgement_is_left_to_humans_as_marked_prompts() -> None:
    report = build(incident())

    assert [x.prompt for x in report.lucky] == [True]
    assert report.went_well[-1].prompt
    delay = next(x for x in report.went_badly if "11 min after the trigger" in x.text)
    assert delay.prompt
    assert delay.text.startswith("_To fill in_")
    assert not report.went_well[0].prompt  # the diagnosis and its time are facts
