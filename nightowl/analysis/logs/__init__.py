"""Log intelligence for the analyze stage: template mining and log evidence for an incident.

``masking`` masks the values a message shows by their form, ``grouping`` decides by token
statistics which other words are values (thresholds in ``config``), ``miner`` groups messages
into templates online (records in ``templates``, state in ``state``), ``mined`` runs it per
service over a batch of records, and ``timeline``/``evidence`` turn records into the error
timeline, spikes, top and new templates and the difference across a deploy. See
docs/log-miner.md.
"""

from nightowl.analysis.logs.config import DEFAULT_CONFIG, MinerConfig
from nightowl.analysis.logs.evidence import (
    DeployDiff,
    TemplateEvidence,
    TemplateShift,
    deploy_diff,
    new_templates_in_last,
    new_templates_since,
    top_error_templates,
)
from nightowl.analysis.logs.masking import VAR, mask, mask_tokens
from nightowl.analysis.logs.mined import MinedRecords, mine_records
from nightowl.analysis.logs.miner import TemplateMiner
from nightowl.analysis.logs.state import MinerState, TemplateState
from nightowl.analysis.logs.timeline import (
    LevelTimeline,
    Spike,
    TimelineBucket,
    detect_error_spike,
    level_timeline,
)

__all__ = [
    "DEFAULT_CONFIG",
    "VAR",
    "DeployDiff",
    "LevelTimeline",
    "MinedRecords",
    "MinerConfig",
    "MinerState",
    "Spike",
    "TemplateEvidence",
    "TemplateMiner",
    "TemplateShift",
    "TemplateState",
    "TimelineBucket",
    "deploy_diff",
    "detect_error_spike",
    "level_timeline",
    "mask",
    "mask_tokens",
    "mine_records",
    "new_templates_in_last",
    "new_templates_since",
    "top_error_templates",
]
