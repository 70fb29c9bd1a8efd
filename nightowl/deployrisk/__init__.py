"""Deploy risk, before the deploy: what a change is (``change``), what CI says of it (``ci``), how
the service's metrics stand now (``signals``), and the documented points table that turns these
inputs into a score 0–100 with a recommendation and its reasons (``score``).

Everything here is a pure function of inputs known at deploy time, so the same ``score`` serves a
live assessment (``nightowl.app.deploy_risk`` gathers the inputs from the store, the graph, the
policy and the metrics) and the backtest (``nightowl eval --deploys``). See docs/deploy-risk.md.
"""
