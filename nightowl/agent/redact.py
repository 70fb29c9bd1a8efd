"""Redaction before anything leaves the process for a model provider.

The rules are notify's (``nightowl.notify.redact``: credentials, token shapes, key=value secrets,
passwords in URLs, private keys, e-mail addresses), so a chat message and a prompt are cleaned the
same way. The agent adds what only it needs: the secrets of its own configuration (the provider API
key, webhook tokens) as known literals, and, when configured, IP addresses and host names, which
may identify a customer or an internal network but are useful context to keep by default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nightowl.notify.redact import redact as redact_secrets
from nightowl.settings import LlmSettings, Settings

IP = "[IP]"
HOST = "[HOST]"
_IPV4 = re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}(?![\w:])")
_HOSTNAME = re.compile(
    r"\b(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"(?:com|net|org|io|dev|cloud|internal|local|lan|corp|example|[a-z]{2})\b"
)


class Redactor:
    """Cleans text bound for a model. Pure; safe from any thread."""

    def __init__(
        self, known: Iterable[str] = (), *, ips: bool = False, hostnames: bool = False
    ) -> None:
        self.known = tuple(k for k in known if k)
        self.ips = ips
        self.hostnames = hostnames

    @classmethod
    def from_settings(cls, settings: Settings) -> Redactor:
        llm: LlmSettings = settings.llm
        known = [llm.api_key.get_secret_value()] if llm.api_key else []
        known += [t.get_secret_value() for ts in settings.webhooks.tokens.values() for t in ts]
        known += [s.get_secret_value() for s in settings.api.users.values()]
        return cls(known, ips=llm.redact_ips, hostnames=llm.redact_hostnames)

    def __call__(self, text: str) -> str:
        text = redact_secrets(text, self.known)
        if self.ips:
            text = _IPV6.sub(IP, _IPV4.sub(IP, text))
        if self.hostnames:
            text = _HOSTNAME.sub(HOST, text)
        return text
