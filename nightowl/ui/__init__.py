"""Web UI adapter: server-rendered pages (Jinja2 templates shipped in the package, a little vanilla
JavaScript for live updates) over the application, beside the HTTP API (``api/``) and the CLI
(``cli/``), and as thin as they are.

``install(api, app)`` adds the pages to the FastAPI application that ``nightowl serve`` runs:
incidents (live list; the incident with its timeline, alerts, charts, hypotheses, proposed actions
with Approve / Deny, audit trail and report), agent KPIs, silences and the kill switch. People log
in with a password (``ui.users``, roles viewer < responder < approver < admin) or send an API
bearer token (``api.users``); sessions are HMAC-signed cookies and every form carries a CSRF token.
"""

from nightowl.ui.web import install

__all__ = ["install"]
