"""Redaction: remove secrets and personal data from text before it leaves nightowl.

Every notifier's message passes through ``redact`` (the routing layer applies it once, for all of
them), and the LLM layer may reuse it for what it sends to a provider. It replaces, with
``[REDACTED]`` or ``[EMAIL]``:

- bearer and basic credentials (``Authorization: Bearer …``, ``Bearer eyJ…``);
- ``key=value`` / ``key: value`` pairs whose key names a secret (password, passwd, secret, token,
  api_key, apikey, access_key, private_key, client_secret, credentials, session, cookie, auth);
- well-known token shapes: Slack (``xox?-…``, ``xapp-…``), GitHub (``ghp_…``, ``github_pat_…``),
  AWS access key ids (``AKIA…``), Google API keys (``AIza…``), OpenAI/Anthropic style keys
  (``sk-…``), PagerDuty-style 32-character routing keys after ``routing_key``, JSON web tokens;
- passwords in URLs (``scheme://user:password@host``) and secret query parameters;
- PEM private key blocks;
- e-mail addresses;
- any literal value passed in ``known`` (the configured secrets of the notifier itself).

It is deliberately conservative about what it keeps: a false positive costs a word of context, a
false negative leaks a credential into a chat channel. Pure functions; safe from any thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"
EMAIL = "[EMAIL]"
SECRET_KEYS = (
    r"pass(?:word|wd|phrase)?|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token"
    r"|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?"
    r"|session(?:[_-]?id)?|cookie|auth|routing[_-]?key|signing[_-]?secret|dsn"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
        REDACTED,
    ),
    (re.compile(r"(?i)\b(authorization\s*[:=]\s*)(\w+\s+)?[^\s,;\"']+"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+(?=\S*\d)[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    (
        re.compile(
            rf"(?i)([\"']?\b[\w.-]*(?:{SECRET_KEYS})[\w.-]*[\"']?\s*[:=]\s*)"
            r"(?!\[REDACTED\])(\"[^\"]*\"|'[^']*'|[^\s,;&)}\]]+)"
        ),
        r"\1" + REDACTED,
    ),
    (
        re.compile(r"(?i)([?&](?:sig|signature|key|token|secret|password)=)[^&\s#]+"),
        r"\1" + REDACTED,
    ),
    (re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/:@]+:[^\s/@]+@"), r"\1" + REDACTED + "@"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), REDACTED),
    (re.compile(r"\bxapp-[A-Za-z0-9-]{10,}"), REDACTED),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), REDACTED),
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), REDACTED),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), REDACTED),
    (re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}"), REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+"), REDACTED),
    (re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"), EMAIL),
)


def redact(text: str, known: Iterable[str] = ()) -> str:
    """``text`` without secrets, credentials or e-mail addresses (see the module docstring)."""
    # Known secrets first, longest first, so a secret containing another is removed whole.
    for secret in sorted({k for k in known if len(k) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
