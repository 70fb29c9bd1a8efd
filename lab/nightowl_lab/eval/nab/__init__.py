"""The Numenta Anomaly Benchmark (NAB v1.1): corpus loading, the scorer, and the runner.

:mod:`.corpus` reads a copy of NAB, :mod:`.scorer` implements NAB's window-based scoring with the
corpus-wide threshold sweep and normalisation, :mod:`.runner` runs detectors and reports.
"""
