"""The live sandbox: a small shop of real services, real Prometheus and Alertmanager, nightowl.

Like ``sim/``, a lab feature that composes the pipeline from outside: it starts real processes
on loopback (``lifecycle``), injects real faults (``faults``), and measures how long nightowl takes
to detect, diagnose and recover from them (``run``). No stage imports it.
"""
