"""Fusing two calibrated detectors: an alarm from either is an alarm.

Each detector has its own alert level, fixed by its design rather than fitted to labels:
CAD-OSE's base threshold (0.75, the score above which it rests) and the residual detector's
alert surprise (7 nats, ``score_of(7)`` = 0.336). :func:`fuse` rescales the residual score so its
alert level lands on CAD-OSE's and takes the larger of the two, so one threshold on the fused
score is an OR of the two detectors at equally strict settings.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nightowl.analysis.anomaly.residual import ResidualSettings, score_of

CAD_ALERT = 0.75
CEILING = 0.999


def fuse(
    residual: npt.NDArray[np.float64],
    cad: npt.NDArray[np.float64],
    *,
    alert_surprise: float = ResidualSettings().alert_surprise,
) -> npt.NDArray[np.float64]:
    """``max(cad, residual * CAD_ALERT / score_of(alert_surprise))``, capped below 1."""
    if residual.shape != cad.shape:
        raise ValueError(f"scores differ in shape: {residual.shape} and {cad.shape}")
    scale = CAD_ALERT / score_of(alert_surprise)
    return np.maximum(cad, np.minimum(residual * scale, CEILING))
