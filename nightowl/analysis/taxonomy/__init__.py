"""The fault taxonomy for the diagnose stage: each kind's evidence signature and its remediation.

``builtin.yaml`` holds the signatures as data (``model``); ``registry`` loads them with users'
additions; ``features`` reads the evidence per service in the signatures' vocabulary; ``scoring``
turns one signature into a hypothesis; ``probes`` asks the log connectors for the evidence that
would settle the leading hypotheses.
"""

from nightowl.analysis.taxonomy.features import Features, service_features
from nightowl.analysis.taxonomy.model import Signature, Taxonomy
from nightowl.analysis.taxonomy.probes import Probe, ProbeBudget, plan_probes, run_probes
from nightowl.analysis.taxonomy.registry import builtin_taxonomy, load_taxonomy, taxonomy_dirs
from nightowl.analysis.taxonomy.scoring import score_signature

__all__ = [
    "Features",
    "Probe",
    "ProbeBudget",
    "Signature",
    "Taxonomy",
    "builtin_taxonomy",
    "load_taxonomy",
    "plan_probes",
    "run_probes",
    "score_signature",
    "service_features",
    "taxonomy_dirs",
]
