"""Canary analysis: after a deploy, is the new version worse than the old on the golden signals?

Beside the incident stages (it reads the metrics connectors and writes the store, and no stage
imports it): ``mannwhitney.py`` is the rank test Kayenta judges with, ``judge.py`` turns samples
into a verdict per metric, per interval and overall in the shape of an Argo Rollouts
AnalysisTemplate (success condition, ``count``, ``failureLimit``, ``inconclusiveLimit``),
``samples.py`` reads the samples (canary against baseline pods by the version label when both
run, else the same service before against after the deploy), ``analysis.py`` runs one interval
and ``alert.py`` is the page a failed analysis raises. The durable loop around them (one run per
deploy, a durable sleep between intervals) is ``workflow/canary.py``. See ``docs/canary.md``.
"""
