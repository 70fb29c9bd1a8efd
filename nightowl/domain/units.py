"""Values in the units people read them in: durations, counts, rates, latencies, bytes."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """``45 s``, ``11 min``, ``1 h 5 min``, ``2 d 3 h``."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        minutes, rest = divmod(s, 60)
        return f"{minutes} min {rest} s" if rest and minutes < 10 else f"{round(s / 60)} min"
    if s < 86400:
        hours, minutes = divmod(round(s / 60), 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(round(s / 3600), 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def count(n: float) -> str:
    """A count rounded to a whole number, with thousands separators: ``12,345``."""
    return f"{round(n):,}"


def size(n: float) -> str:
    """Bytes, human-readable in powers of 1,000: ``403 MB``, ``1.2 GB``."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.1f} {unit}" if abs(n) < scale * 100 else f"{n / scale:.0f} {unit}"
    return f"{n:.0f} B"


def value(v: float, signal: str) -> str:
    """A value of one of the golden signals in its unit (%, ms or s, req/s, bytes, cores)."""
    if signal == "error_rate":
        return f"{v * 100:.1f}%" if v < 0.1 else f"{v * 100:.0f}%"
    if signal.startswith("latency"):
        return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s"
    if signal == "memory":
        return size(v)
    if signal == "request_rate":
        return f"{v:.0f} req/s" if v >= 10 else f"{v:.1f} req/s"
    if signal == "cpu":
        return f"{v:.2f} cores"
    return plain(v)


def plain(v: float) -> str:
    """A number of no known unit: ``0.5``, ``1234``, ``52M`` — never in scientific notation."""
    if abs(v) >= 1e6:
        return f"{v / 1e6:.0f}M"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.3g}"


def money(delta: float, currency: str = "$") -> str:
    """A signed amount as people read it: ``+$412``, ``-$35.50``, ``+$1,234``."""
    sign = "+" if delta >= 0 else "-"
    amount = abs(delta)
    text = f"{amount:,.0f}" if amount >= 100 or amount == int(amount) else f"{amount:,.2f}"
    return f"{sign}{currency}{text}"
