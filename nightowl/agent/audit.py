"""Reject and count what the model made up: the hallucination rate.

Two sources. The conversation: every tool call pydantic-ai refused and sent back (a tool that does
not exist, arguments that do not validate, output that does not fit the schema). And the finding:
every evidence reference must name a tool call of this incident that succeeded, and the claim must
be grounded in what those calls returned (the service named in them; a deploy version that exists)
and not rest on output that seemed to address the model (a suspected prompt injection).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from pydantic_ai.messages import ModelMessage, ModelRequest, RetryPromptPart, ToolReturnPart

from nightowl.agent import metering
from nightowl.agent.schema import Finding
from nightowl.store.llm import ToolCallRecord

INVENTED_TOOL = "invented_tool"
INVALID_ARGUMENTS = "invalid_arguments"
INVALID_OUTPUT = "invalid_output"
UNKNOWN_REFERENCE = "unknown_reference"
UNSUPPORTED_CLAIM = "unsupported_claim"
TAINTED_EVIDENCE = "tainted_evidence"
OUTPUT_TOOL = "final_result"
REJECTING = (UNKNOWN_REFERENCE, UNSUPPORTED_CLAIM, TAINTED_EVIDENCE)
"""Reasons that reject a finding outright (the others were refused and retried in the run)."""


def refused_calls(messages: Iterable[ModelMessage], tools: set[str]) -> Counter[str]:
    """Tool calls of the run that pydantic-ai refused, by reason (``final_result*`` are
    pydantic-ai's output tools: refusing one means the output did not fit the schema)."""
    found: Counter[str] = Counter()
    for message in messages:
        if not isinstance(message, ModelRequest):
            continue
        for part in message.parts:
            refused = isinstance(part, RetryPromptPart) or (
                isinstance(part, ToolReturnPart) and part.outcome in ("retried", "failed")
            )
            name = getattr(part, "tool_name", None)
            if not refused or name is None:
                continue
            if name.startswith(OUTPUT_TOOL):
                found[INVALID_OUTPUT] += 1
            elif name in tools:
                found[INVALID_ARGUMENTS] += 1
            else:
                found[INVENTED_TOOL] += 1
    return found


def check_finding(
    finding: Finding, calls: Sequence[ToolCallRecord], deploys: Iterable[str]
) -> Counter[str]:
    """Why the finding's claim is not supported by this incident's tool calls (empty: it is)."""
    problems: Counter[str] = Counter()
    claim = finding.root_cause
    if claim is None:
        return problems
    by_id = {c.call_id: c for c in calls}
    unknown = [ref for ref in finding.evidence if ref not in by_id]
    problems[UNKNOWN_REFERENCE] += len(unknown)
    cited = [by_id[ref] for ref in finding.evidence if ref in by_id and by_id[ref].ok]
    seen = " ".join(c.output + " " + " ".join(str(v) for v in c.args.values()) for c in cited)
    # A claim resting on text that addressed the model may be the attacker's, not the system's.
    problems[TAINTED_EVIDENCE] += sum(1 for c in cited if c.suspicious)
    deploy_known = not claim.deploy or claim.deploy in set(deploys) or claim.deploy in seen
    if not cited or claim.service not in seen or not deploy_known:
        problems[UNSUPPORTED_CLAIM] += 1
    return +problems


def count(rejections: Counter[str]) -> None:
    """Add the run's rejected outputs to the rejection metric, by reason."""
    for reason, n in rejections.items():
        metering.REJECTED.labels(reason).inc(n)
