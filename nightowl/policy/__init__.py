"""The gate stage: guardrails and user rules deciding allow, require-approval or deny, with reasons.

``facts.py`` is what the policy looks at, ``guardrails.py`` the built-in rules (kill switch, action
allowlist, tiers, autonomy, criticality, blast radius, circuit breakers, freeze windows),
``cedar.py`` the user's Cedar rules, ``gate.py`` how they combine, and ``cases.py`` table-driven
policy tests. Policy wraps actions; drivers never decide whether they may act.
"""
