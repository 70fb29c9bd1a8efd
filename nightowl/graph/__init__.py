"""The knowledge graph: services, their dependencies, owners and on-call, deploys, incidents,
actions and decisions, kept in the store and walked with networkx.

``facts.py`` turns what sources say into edges; ``traversal.py`` walks the service graph
(dependencies and dependents, fan-in, paths); ``knowledge.py`` answers the questions the CLI, the
API and the stages ask (the ``Knowledge`` port); ``refresh.py`` reads the connectors' current view
into it. See ``docs/memory.md``.
"""
