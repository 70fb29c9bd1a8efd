"""Attribution: which service a log line is about, when it names another service's host.

Callers log a failing dependency by the name they reach it by — ``api.carrier.example``, a
database DSN, ``ledger.payments.svc:8443``, a broker address — never by the service's name. An
SRE reads such a line as evidence about the dependency, not about the caller that wrote it. The
endpoint sources (a service registry, Kubernetes Services, the configuration) list those names
(``Observations.endpoints``); :class:`HostIndex` finds them in a line as whole names (the match
must not continue into a longer host name), longest first. Linear in the line's length times the
number of names; no regular expression runs on the line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MIN_NAME = 4
"""Names shorter than this (``db``, ``api``) say too little inside free text; they are ignored."""
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


class HostIndex:
    """Service → the names it is reached by, looked up in log lines. Immutable; thread-safe."""

    def __init__(self, endpoints: Mapping[str, Sequence[str]]) -> None:
        names = {
            name.lower().strip(): service
            for service, hosts in endpoints.items()
            for name in hosts
            if len(name.strip()) >= MIN_NAME
        }
        self._names = sorted(names.items(), key=lambda kv: -len(kv[0]))

    def __bool__(self) -> bool:
        return bool(self._names)

    def about(self, message: str, logger: str) -> str | None:
        """The service (other than ``logger``) whose name ``message`` mentions, or ``None``."""
        text = message.lower()
        for name, service in self._names:
            if service != logger and _mentions(text, name):
                return service
        return None


def _mentions(text: str, name: str) -> bool:
    start = text.find(name)
    while start >= 0:
        end = start + len(name)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        # a trailing dot ends a sentence, not a longer host name
        after_ok = after not in _HOST_CHARS or (
            after == "." and (end + 1 >= len(text) or text[end + 1] not in _HOST_CHARS)
        )
        if before not in _HOST_CHARS and after_ok:
            return True
        start = text.find(name, start + 1)
    return False
