"""Who is asking: a signed session cookie (after a password login) or an API bearer token.

The cookie holds the user name, an expiry and a random nonce, signed with HMAC-SHA256 under the
session secret (``ui.session_secret``, else a random key kept in ``<data_dir>/ui-session.key``, so
sessions survive restarts). The role is read from the settings on every request, so removing a user
or lowering a role takes effect at once. The CSRF token of a session is an HMAC of its nonce: every
POST form carries it, and a request authenticated by a bearer token (no cookie) needs none.

Logging out revokes the session on the server: its nonce is kept until the cookie would have
expired, in the database (``store/revocations.py``), so a copied cookie is refused after logout,
also after a restart and by every replica on the same database. The key is configuration, not a
row: every replica must be given the same ``ui.session_secret`` (docs/deploy.md, "Secrets").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from nightowl.app import access
from nightowl.settings import Settings
from nightowl.store.revocations import RevocationStore

COOKIE = "nightowl_session"
LOGIN_CSRF_COOKIE = "nightowl_login"


@dataclass(frozen=True)
class Principal(access.Principal):
    """An authenticated person (``access.Principal``) and their session's CSRF token."""

    csrf: str = ""


class Sessions:
    """Issues, checks and revokes session cookies and CSRF tokens. Thread-safe (the only state,
    the revocations, is in the database); StoreError when the database cannot be used."""

    def __init__(self, settings: Settings, revocations: RevocationStore) -> None:
        self.settings = settings
        self.key = session_key(settings)
        self.max_age = int(settings.ui.session_hours * 3600)
        self.revocations = revocations

    def issue(self, user: str, now: float | None = None) -> str:
        payload = {
            "u": user,
            "exp": int((now or time.time()) + self.max_age),
            "n": secrets.token_urlsafe(12),
        }
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def principal(self, cookie: str | None, now: float | None = None) -> Principal | None:
        """The person a valid, unexpired, not revoked cookie names, if they still have a role."""
        fields = self._fields(cookie)
        if fields is None:
            return None
        user, expires, nonce = fields
        role = access.role_of(self.settings, user)
        if expires < (now or time.time()) or role is None or user not in self.settings.ui.users:
            return None
        if self.revocations.revoked(nonce):
            return None
        return Principal(user, role, "session", self.csrf_for(nonce))

    def revoke(self, cookie: str | None) -> None:
        """Log the session out on the server: its cookie is refused from now on, everywhere."""
        fields = self._fields(cookie)
        if fields is not None:
            _, expires, nonce = fields
            self.revocations.revoke(nonce, expires, time.time())

    def _fields(self, cookie: str | None) -> tuple[str, int, str] | None:
        """User, expiry and nonce of a cookie whose signature holds."""
        if not cookie or "." not in cookie:
            return None
        body, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            payload = json.loads(_unb64(body))
            return str(payload["u"]), int(payload["exp"]), str(payload["n"])
        except (ValueError, KeyError, TypeError):
            return None

    def bearer(self, authorization: str | None) -> Principal | None:
        """The API user (``api.users``) whose bearer token this is, with their role."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        found = access.token_principal(self.settings, token.strip())
        return Principal(found.name, found.role, found.via) if found else None

    def csrf_for(self, nonce: str) -> str:
        return hmac.new(self.key, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self.key, body.encode(), hashlib.sha256).digest())


def check_csrf(principal: Principal, given: str | None) -> bool:
    """A bearer-token request needs no CSRF token (no ambient credentials); a session does."""
    if principal.via == "token":
        return True
    return bool(given) and hmac.compare_digest(principal.csrf, given or "")


def session_key(settings: Settings) -> bytes:
    """The configured secret, else a random key created once in the data dir (mode 0600)."""
    if settings.ui.session_secret is not None:
        return settings.ui.session_secret.get_secret_value().encode()
    path: Path = settings.data_dir / "ui-session.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
