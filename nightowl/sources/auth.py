"""How a webhook request proves its sender: bearer token (default), HMAC signature, or basic auth.

Every comparison is constant-time. Errors say what was missing or wrong, never which secret was
expected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from nightowl.errors import AuthError
from nightowl.settings import Settings, SourceAuth

DEFAULT_SIGNATURE_HEADER = "x-signature-256"
DEFAULT_SIGNATURE_PREFIX = "sha256="


def authenticate(
    source: object, name: str, settings: Settings, headers: Mapping[str, str], body: bytes
) -> str:
    """Check the request; return who sent it (for the record). Raises AuthError."""
    auth = settings.webhooks.auth.get(name) or SourceAuth()
    if auth.kind == "hmac":
        return _hmac(source, auth, headers, body)
    if auth.kind == "basic":
        return _basic(auth, headers)
    return _bearer(name, settings, headers)


def reads_body(name: str, settings: Settings) -> bool:
    """Whether ``name``'s credentials are checked on the body (an HMAC signature) rather than on
    headers alone, which can be checked before the body is read."""
    return (settings.webhooks.auth.get(name) or SourceAuth()).kind == "hmac"


def _bearer(name: str, settings: Settings, headers: Mapping[str, str]) -> str:
    tokens = settings.webhook_tokens(name)
    if not tokens:
        raise AuthError(
            f"no webhook token is configured for source {name!r}: set NIGHTOWL_WEBHOOK_TOKEN or "
            "webhooks.tokens in nightowl.yaml"
        )
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError("missing bearer token: send 'Authorization: Bearer <token>'")
    if not any(hmac.compare_digest(token.encode(), t.encode()) for t in tokens):
        raise AuthError("the bearer token is not accepted for this source")
    return "bearer"


def _hmac(source: object, auth: SourceAuth, headers: Mapping[str, str], body: bytes) -> str:
    header = str(getattr(source, "signature_header", DEFAULT_SIGNATURE_HEADER))
    prefix = str(getattr(source, "signature_prefix", DEFAULT_SIGNATURE_PREFIX))
    if not auth.secrets:
        raise AuthError(
            "hmac authentication is configured without secrets: add webhooks.auth.<source>.secrets"
        )
    given = headers.get(header, "")
    if not given:
        raise AuthError(f"missing signature header {header!r}")
    signatures = [
        s.strip()[len(prefix) :] for s in given.split(",") if s.strip().startswith(prefix)
    ]
    if not signatures:
        raise AuthError(f"signature header {header!r} has no {prefix}<hex> signature")
    for secret in auth.secrets:
        expected = hmac.new(secret.get_secret_value().encode(), body, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, sig.lower()) for sig in signatures):
            return "hmac"
    raise AuthError("no signature matches the body for any configured secret")


def _basic(auth: SourceAuth, headers: Mapping[str, str]) -> str:
    scheme, _, encoded = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise AuthError(
            "missing basic credentials: send 'Authorization: Basic <base64 user:password>'"
        )
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthError("basic credentials are not valid base64 of user:password") from None
    known = auth.users.get(user)
    if known is None or not hmac.compare_digest(
        password.encode(), known.get_secret_value().encode()
    ):
        raise AuthError("unknown user or wrong password")
    return f"basic:{user}"
