"""What every alert source provides: a name, a parser, and how it authenticates a request."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Protocol

from pydantic import ValidationError

from nightowl.domain import AlertGroup
from nightowl.errors import PayloadError


class AlertSource(Protocol):
    """Turns one raw webhook body into an AlertGroup.

    ``parse`` raises PayloadError naming the offending field; it never partially succeeds.
    It is pure: parsing the same body twice gives equal results.
    """

    name: str

    def parse(self, body: bytes, headers: Mapping[str, str]) -> AlertGroup: ...


def load_json(body: bytes, source: str) -> object:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"body is not valid UTF-8 (byte {exc.start})", source=source) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PayloadError(
            f"body is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            source=source,
        ) from None


def raise_validation(exc: ValidationError, source: str) -> PayloadError:
    """Translate pydantic's error into a PayloadError naming the first bad field."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"])
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) else f" (got {json.dumps(got, default=str)[:80]})"
    more = f"; {len(exc.errors()) - 1} more problem(s)" if len(exc.errors()) > 1 else ""
    return PayloadError(f"{err['msg']}{shown}{more}", source=source, field=field or None)


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """A stable fingerprint of a label set (used when a source does not send one)."""
    canon = json.dumps(sorted(labels.items()), separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def content_hash(*parts: object) -> str:
    canon = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canon.encode()).hexdigest()[:32]
