"""Real servers on loopback ports for tests and screenshots: PostgreSQL, Prometheus, Alertmanager,
an exporter, a Kubernetes API mock, sshd, an OpenAI-compatible LLM server and the live web UI.

Each starts a Debian-packaged program (or an in-process server) and stops it on exit; one missing
from the machine raises its ``...Missing`` error so a test can skip. Not shipped with nightowl.
"""
