"""The plugin author's kit: in-process fakes for every protocol and contract suites to run.

Fakes (no I/O, deterministic, honour their protocol's documented contract):
``watcher`` — FakeWatcher (a Watcher reporting given findings); ``sources`` — FakeMetrics, FakeLogs, FakeDeploys, FakeCluster, FakeTopology (the read-side
protocols of ``nightowl.connectors.protocols``); ``notifier`` — FakeNotifier; ``driver`` —
FakeDriver (an in-memory world to act on); ``llm`` — ScriptedLLM, a pydantic-ai FunctionModel
that answers from a script (needs the ``llm`` extra).

Contracts (``nightowl.testing.contracts``; need pytest): MetricsSourceContract,
LogSourceContract, DeploySourceContract, ClusterSourceContract, TopologySourceContract,
NotifierContract and ActionDriverContract. A plugin's test module subclasses one and gives the
fixtures it names (the plugin, and a case saying where its data is); every test then runs
against the plugin. The fakes pass them, and so do nightowl's own plugins.
"""
