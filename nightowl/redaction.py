"""Redaction, in one place: remove secrets and personal data from text before it leaves nightowl.

One ``Redactor`` per process, built by the composition root from every secret of the settings and
of the plugins it built (connectors, drivers, notifiers: every ``SecretStr`` in their configs), cleans
everything that leaves the process: every notifier's message (the routing layer applies it once,
for all of them), every request to a model provider (the LLM layer), and the headers kept with a
dead letter (``safe_headers``, an allow-list). ``redact`` replaces, with ``[REDACTED]`` or ``[EMAIL]``:

- bearer and basic credentials (``Authorization: Bearer …``, ``Bearer eyJ…``);
- ``key=value`` / ``key: value`` pairs whose key names a secret (password, passwd, secret, token,
  api_key, apikey, access_key, private_key, client_secret, credentials, session, cookie, auth);
- well-known token shapes: Slack (``xox?-…``, ``xapp-…``), GitHub (``ghp_…``, ``github_pat_…``),
  AWS access key ids (``AKIA…``), Google API keys (``AIza…``), OpenAI/Anthropic style keys
  (``sk-…``), PagerDuty-style 32-character routing keys after ``routing_key``, JSON web tokens;
- passwords in URLs (``scheme://user:password@host``) and secret query parameters;
- PEM private key blocks;
- e-mail addresses;
- any literal value passed in ``known`` (the configured secrets).

For a model provider the Redactor can also hide IP addresses and host names (``llm.redact_ips``,
``llm.redact_hostnames``), which may identify a customer or an internal network but are useful
context to keep by default.

It is deliberately conservative about what it keeps: a false positive costs a word of context, a
false negative leaks a credential into a chat channel. Pure functions; safe from any thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

from nightowl.domain.patterns import Match, Pattern, compile_pattern
from nightowl.settings import Settings

REDACTED = "[REDACTED]"
EMAIL = "[EMAIL]"
SECRET_KEYS = (
    r"pass(?:word|wd|phrase)?|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token"
    r"|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?"
    r"|session(?:[_-]?id)?|cookie|routing[_-]?key|signing[_-]?secret|dsn"
)
AUTH_KEY = r"[\w.-]*auth(?:orization|entication|[_.-][\w.-]*)?"
"""``auth``, ``basic_auth``, ``auth_header``, ``authorization`` — but not ``author`` or
``authority`` (RE2 has no look-ahead: the word after ``auth`` is spelled out)."""


def _bearer(found: Match) -> str:
    """A bearer or basic credential, if something in it is a digit (not a word of prose)."""
    scheme, token, rest = found.group(1), found.group(2) or "", found.group(3) or ""
    if not any(c.isdigit() for c in token + rest):
        return found.group(0) or ""
    return f"{scheme} {REDACTED}{rest}"


def _secret_value(found: Match) -> str:
    """The value of a ``secret_key: value`` pair, unless it was redacted already."""
    value = found.group(2) or ""
    if value.strip("\"'").startswith("[REDACTED"):
        return found.group(0) or ""
    quote = value[0] if value[:1] in ('"', "'") else ""  # JSON stays JSON
    return (found.group(1) or "") + quote + REDACTED + quote


_PATTERNS: tuple[tuple[Pattern, str | Callable[[Match], str]], ...] = (
    (
        compile_pattern(
            r"(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----"
        ),
        REDACTED,
    ),
    (compile_pattern(r"(?i)\b(authorization\s*[:=]\s*)(\w+\s+)?[^\s,;\"']+"), r"\1" + REDACTED),
    (compile_pattern(r"(?i)\b(bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})(\S*)"), _bearer),
    (
        compile_pattern(
            rf"(?i)([\"']?\b(?:[\w.-]*(?:{SECRET_KEYS})[\w.-]*|{AUTH_KEY})[\"']?\s*[:=]\s*)"
            r"(\"[^\"]*\"|'[^']*'|[^\s,;&)}\]]+)"
        ),
        _secret_value,
    ),
    (
        compile_pattern(r"(?i)([?&](?:sig|signature|key|token|secret|password)=)[^&\s#]+"),
        r"\1" + REDACTED,
    ),
    (
        compile_pattern(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/:@]+:[^\s/@]+@"),
        r"\1" + REDACTED + "@",
    ),
    (compile_pattern(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), REDACTED),
    (compile_pattern(r"\bxapp-[A-Za-z0-9-]{10,}"), REDACTED),
    (compile_pattern(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), REDACTED),
    (compile_pattern(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), REDACTED),
    (compile_pattern(r"\bAIza[0-9A-Za-z_-]{35}\b"), REDACTED),
    (compile_pattern(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}"), REDACTED),
    (compile_pattern(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+"), REDACTED),
    (compile_pattern(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"), EMAIL),
)
"""Run by RE2 (``domain/patterns.py``): alert text is attacker-controlled, and with backtracking a
64 KB summary of repeated ``token`` took 71 s here, holding the interpreter."""


def redact(text: str, known: Iterable[str] = ()) -> str:
    """``text`` without secrets, credentials or e-mail addresses (see the module docstring)."""
    # Known secrets first, longest first, so a secret containing another is removed whole.
    for secret in sorted({k for k in known if len(k) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


IP = "[IP]"
HOST = "[HOST]"
_IPV4 = compile_pattern(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}(?![\w:])")
_HOSTNAME = compile_pattern(
    r"\b(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"(?:com|net|org|io|dev|cloud|internal|local|lan|corp|example|[a-z]{2})\b"
)
KEPT_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "content-encoding",
        "user-agent",
        "accept",
        "x-request-id",
        "x-correlation-id",
        "x-forwarded-for",
        "x-real-ip",
        "x-grafana-origin",
        "x-pagerduty-webhook-id",
        "x-datadog-trace-id",
    }
)
"""The only headers kept with a dead letter: what tells where a request came from and how its
body is encoded. An allow-list, because credentials travel under any name a sender picks
(``X-Authentication``, ``X-Webhook-Auth``, ``X-Access-Key``, ...)."""


def secrets_of(value: Any) -> list[str]:
    """Every SecretStr value inside a pydantic model (recursively): what must never be shown."""
    if isinstance(value, SecretStr):
        return [value.get_secret_value()]
    if isinstance(value, BaseModel):
        return [s for name in type(value).model_fields for s in secrets_of(getattr(value, name))]
    if isinstance(value, dict):
        return [s for v in value.values() for s in secrets_of(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in secrets_of(v)]
    return []


def safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The allow-listed headers of ``headers`` (``KEPT_HEADERS``, any case); their values are
    redacted too, in case a sender put a credential where it does not belong."""
    return {k: redact(v) for k, v in headers.items() if k.lower() in KEPT_HEADERS}


class Redactor:
    """Cleans text with the process's known secrets (and, if asked, IPs and host names). Pure;
    safe from any thread."""

    def __init__(
        self, known: Iterable[str] = (), *, ips: bool = False, hostnames: bool = False
    ) -> None:
        self.known = tuple(dict.fromkeys(k for k in known if k))
        self.ips = ips
        self.hostnames = hostnames

    @classmethod
    def from_settings(cls, settings: Settings, *plugins: object) -> Redactor:
        """Every secret of the settings and of the built plugins' configs (``plugin.config``),
        with the LLM layer's choice about IPs and host names."""
        known = secrets_of(settings)
        known += [s for p in plugins for s in secrets_of(getattr(p, "config", None))]
        llm = settings.llm
        return cls(known, ips=llm.redact_ips, hostnames=llm.redact_hostnames)

    def secrets(self, text: str) -> str:
        """``text`` without secrets, credentials or e-mail addresses (IPs and hosts kept)."""
        return redact(text, self.known)

    def __call__(self, text: str) -> str:
        """``text`` as it may leave for a model provider."""
        text = self.secrets(text)
        if self.ips:
            text = _IPV6.sub(IP, _IPV4.sub(IP, text))
        if self.hostnames:
            text = _HOSTNAME.sub(HOST, text)
        return text
