"""The sandbox's own programs: one generic service, a round-robin router and a load generator.

Each is a stdlib-only asyncio program run as ``python -m nightowl_lab.sandbox.services.<name>``.
"""
