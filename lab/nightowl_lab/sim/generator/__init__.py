"""Scenario generator for the eval stage: every fault kind in several variants, with red herrings.

``faults`` writes each kind's fault and ground truth; ``build`` assembles the scenario around it.
"""

from nightowl_lab.sim.generator.build import generate, write_suite
from nightowl_lab.sim.generator.faults import BUILDERS

KINDS = sorted(BUILDERS)

__all__ = ["KINDS", "generate", "write_suite"]
