"""Password hashes for ``ui.users``: scrypt (the default) or PBKDF2-SHA256, standard library only.

Formats (salt and hash in URL-safe base64 without padding)::

    scrypt$<n>$<r>$<p>$<salt>$<hash>
    pbkdf2_sha256$<iterations>$<salt>$<hash>

``python -m nightowl.ui.passwords`` (or ``nightowl hash-password``) asks for a password and prints
its hash for the configuration file. Verification is constant-time, and an unknown user costs the
same time as a wrong password (``verify(None, …)`` hashes against a dummy).
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import secrets
import sys

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PBKDF2_ITERATIONS = 600_000
_DUMMY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """A new scrypt hash of ``password`` with a random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def pbkdf2_hash(password: str, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${_b64(salt)}${_b64(digest)}"


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; False for a malformed or missing hash."""
    try:
        return _check(stored or _DUMMY, password) and stored is not None
    except (ValueError, TypeError):
        return False


def _check(stored: str, password: str) -> bool:
    scheme, *fields = stored.split("$")
    if scheme == "scrypt" and len(fields) == 5:
        n, r, p = (int(f) for f in fields[:3])
        salt, expected = _unb64(fields[3]), _unb64(fields[4])
        got = hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=2**26
        )
    elif scheme == "pbkdf2_sha256" and len(fields) == 3:
        salt, expected = _unb64(fields[1]), _unb64(fields[2])
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, int(fields[0]))
    else:
        raise ValueError("unknown password hash format")
    return hmac.compare_digest(got, expected)


def main() -> int:
    first = getpass.getpass("password: ")
    if len(first) < 8:
        print("use at least 8 characters", file=sys.stderr)
        return 1
    if getpass.getpass("again: ") != first:
        print("the passwords differ", file=sys.stderr)
        return 1
    print(hash_password(first))
    return 0


if __name__ == "__main__":
    sys.exit(main())
