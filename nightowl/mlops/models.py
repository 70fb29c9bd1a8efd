"""What a drift check decides and reports: per-feature results, the likely cause, performance."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from nightowl.mlops.frames import Kind
from nightowl.mlops.multiple import Correction


class Role(StrEnum):
    """What a column is to the model."""

    FEATURE = "feature"
    PREDICTION = "prediction"


class Cause(StrEnum):
    """The likely cause of a column's shift: an upstream data change, or the population moved."""

    NEW_CATEGORY = "new_category"
    UNIT_CHANGE = "unit_change"
    NULLS_JUMP = "nulls_jump"
    POPULATION_SHIFT = "population_shift"


class DriftRules(BaseModel):
    """How a check decides. ``alpha`` is the level after multiple-testing control; a significant
    shift must also be large enough to matter: PSI ≥ ``min_psi`` (numeric; 0.1 is the customary
    "moderate shift") or Jensen–Shannon distance ≥ ``min_js`` (categorical)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpha: float = Field(default=0.05, gt=0, lt=1)
    correction: Correction = Correction.BH
    min_psi: float = Field(default=0.1, ge=0)
    min_js: float = Field(default=0.1, ge=0, le=1)
    bins: int = Field(default=10, ge=2, le=100)
    nulls_jump: float = Field(default=0.05, gt=0, le=1)  # null rate rise, in absolute share


class Distribution(BaseModel):
    """Both windows' shares over the same bins or categories (what the charts draw)."""

    model_config = ConfigDict(frozen=True)

    labels: list[str]
    reference: list[float]
    current: list[float]


class FeatureDrift(BaseModel):
    """One column's test: statistic, p-value before and after correction, distance, verdict."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: Kind
    role: Role = Role.FEATURE
    test: str  # "ks" or "chi2"
    statistic: float
    p_value: float
    adjusted_p: float
    distance_name: str  # "psi" or "js"
    distance: float
    drifted: bool
    cause: Cause | None = None
    cause_detail: str = ""
    null_rate_reference: float
    null_rate_current: float
    distribution: Distribution


class Performance(BaseModel):
    """The model's quality on labelled rows of both windows (labels arrive late)."""

    model_config = ConfigDict(frozen=True)

    metric: str  # "accuracy", "auc" or "mae"
    reference: float
    current: float
    higher_is_better: bool
    decayed: bool


class DriftReport(BaseModel):
    """The result of comparing a current window with a reference window."""

    model_config = ConfigDict(frozen=True)

    reference_rows: int
    current_rows: int
    rules: DriftRules
    features: list[FeatureDrift]
    prediction: FeatureDrift | None = None
    performance: Performance | None = None

    @property
    def drifted(self) -> list[FeatureDrift]:
        return [f for f in self.features if f.drifted]

    @property
    def alarm(self) -> bool:
        decayed = self.performance is not None and self.performance.decayed
        moved = self.prediction is not None and self.prediction.drifted
        return bool(self.drifted) or moved or decayed
