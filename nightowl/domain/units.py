"""Values in the unit people read a signal in: ``2.1%``, ``250 ms``, ``403.0 MB``, ``120/s``.

One place for every text a person reads (reports, stage summaries, verification), so that memory
never shows as ``4.03e+08`` in one and ``403M`` in another.
"""

from __future__ import annotations

_BYTES = (("GB", 1e9), ("MB", 1e6), ("kB", 1e3))


def human(value: float, signal: str) -> str:
    """``value`` of ``signal`` (a signal name such as ``error_rate``, ``latency_p99``,
    ``memory``, ``request_rate``) as a person reads it; other signals as a plain number (three
    significant digits, whole above 100, millions as ``M``), never in scientific notation."""
    if signal == "error_rate":
        return f"{value * 100:.1f}%" if value < 0.1 else f"{value * 100:.0f}%"
    if signal.startswith("latency"):
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if signal == "memory":
        for unit, size in _BYTES:
            if abs(value) >= size:
                return f"{value / size:.1f} {unit}"
        return f"{value:.0f} B"
    if signal == "request_rate":
        return f"{value:.0f}/s" if value >= 10 else f"{value:.1f}/s"
    return plain(value)


def plain(value: float) -> str:
    """A number of no known unit: ``0.5``, ``1234``, ``52M``."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.0f}M"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"
