"""The audit trail's key: the HMAC secret that the database never holds.

An attacker who can write the database can recompute an unkeyed hash chain; with a key kept
elsewhere they cannot. The key is, in order of preference, ``audit.key`` (a setting, usually
``${NIGHTOWL_AUDIT_KEY}``: what several workers on several machines share) or a key file,
by default ``<data_dir>/audit.key``, created with mode 0600 the first time a trail is started.
A key file that goes missing after records were signed is an error, never a silent new key:
a new key would make every earlier record unverifiable.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nightowl.errors import ConfigError

log = logging.getLogger(__name__)

MIN_SECRET = 32
"""Characters of a configured key; the generated key file holds 64 hex characters (256 bits)."""
_KEY_ID_LABEL = b"nightowl audit key id"


@dataclass(frozen=True)
class AuditKey:
    """A loaded key: the secret, its public id (stored on every record) and where it came from."""

    secret: bytes = field(repr=False)
    where: str

    @property
    def key_id(self) -> str:
        """16 hex characters naming the key without revealing it."""
        return hmac.new(self.secret, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class KeySource:
    """Where the key is found: a configured secret, else a key file (created on first use)."""

    path: Path
    secret: str | None = field(default=None, repr=False)

    def load(self, *, create: bool) -> AuditKey:
        """The key. ``create``: write a new key file when there is none (only for a trail that has
        no signed record yet). Raises ConfigError, saying what to do, when there is no usable key."""
        if self.secret is not None:
            if len(self.secret) < MIN_SECRET:
                raise ConfigError(
                    f"the audit key is {len(self.secret)} characters; use at least {MIN_SECRET} "
                    "(for example `openssl rand -hex 32`)",
                    where="audit.key",
                )
            return AuditKey(self.secret.encode("utf-8"), "audit.key")
        if not self.path.exists():
            if not create:
                raise ConfigError(
                    f"the audit key file {self.path} does not exist; it signed the audit trail, "
                    "so restore it from your backup (or set audit.key / NIGHTOWL_AUDIT_KEY to the "
                    "same key). nightowl never starts a new key over signed records",
                    where="audit.key_file",
                )
            return AuditKey(_create(self.path), str(self.path))
        return AuditKey(_read(self.path), str(self.path))


def _create(path: Path) -> bytes:
    """Write a new key where none is; the file appears complete (written aside, then hard-linked
    into place, which fails if another process was first: then its key is the key)."""
    value = secrets.token_hex(32)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(value + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.link(aside, path)
    except FileExistsError:
        return _read(path)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the audit key file {path}: {exc.strerror or exc}; "
            "make its directory writable or set audit.key_file",
            where="audit.key_file",
        ) from None
    finally:
        aside.unlink(missing_ok=True)
    log.warning("created the audit key %s (mode 0600): back it up apart from the database", path)
    return value.encode("ascii")


def _read(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigError(
            f"cannot read the audit key file {path}: {reason}", where="audit.key_file"
        ) from None
    if len(value) < MIN_SECRET:
        raise ConfigError(
            f"the audit key file {path} holds {len(value)} characters, not a key of at least "
            f"{MIN_SECRET}; restore the original file",
            where="audit.key_file",
        )
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("the audit key %s is readable by others: chmod 600 %s", path, path)
    return value.encode("utf-8")
