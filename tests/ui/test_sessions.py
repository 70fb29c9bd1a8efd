"""UI sessions: signed session cookies, CSRF tokens, bearer tokens and the roles they carry."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from nightowl.settings import Role, Settings
from nightowl.store import create_engine_for, migrate
from nightowl.store.revocations import RevocationStore
from nightowl.ui import sessions as sessions_module
from nightowl.ui.passwords import pbkdf2_hash
from nightowl.ui.sessions import Principal, check_csrf, session_key

HASH = pbkdf2_hash("a password nobody types here", 1000)


def Sessions(settings: Settings) -> sessions_module.Sessions:  # reads as the class it builds
    """Sessions over the settings' SQLite store (migrated), as the application builds them."""
    engine = create_engine_for(settings.store_url)
    migrate(engine)
    return sessions_module.Sessions(settings, RevocationStore(engine))


def settings(tmp_path: Path, **ui: Any) -> Settings:
    return Settings.model_validate(
        {
            "data_dir": str(tmp_path),
            "api": {"users": {"alice": "alice-token-1", "bot": "bot-token-2"}},
            "ui": {
                "users": {
                    "alice": {"password_hash": HASH, "role": "approver"},
                    "victor": {"password_hash": HASH, "role": "viewer"},
                },
                **ui,
            },
        }
    )


def test_a_session_names_its_user_and_their_current_role(tmp_path: Path) -> None:
    sessions = Sessions(settings(tmp_path, session_secret="s" * 32))

    cookie = sessions.issue("alice")
    me = sessions.principal(cookie)

    assert me is not None
    assert (me.name, me.role, me.via) == ("alice", Role.APPROVER, "session")
    assert len(me.csrf) == 32
    assert me.can(Role.RESPONDER)
    assert not me.can(Role.ADMIN)


def test_tampered_expired_foreign_or_removed_sessions_are_refused(tmp_path: Path) -> None:
    sessions = Sessions(settings(tmp_path, session_secret="s" * 32))
    cookie = sessions.issue("alice")
    body, signature = cookie.rsplit(".", 1)
    forged = Sessions(settings(tmp_path, session_secret="t" * 32)).issue("alice")
    removed = Sessions(settings(tmp_path, session_secret="s" * 32, users={}))

    assert sessions.principal(body + "x." + signature) is None
    assert sessions.principal(cookie, now=time.time() + 13 * 3600) is None
    assert sessions.principal(forged) is None
    assert sessions.principal("garbage") is None
    assert removed.principal(cookie) is None


def test_each_session_has_its_own_csrf_token(tmp_path: Path) -> None:
    sessions = Sessions(settings(tmp_path, session_secret="s" * 32))
    one = sessions.principal(sessions.issue("alice"))
    two = sessions.principal(sessions.issue("alice"))

    assert one is not None
    assert two is not None
    assert one.csrf != two.csrf
    assert check_csrf(one, one.csrf)
    assert not check_csrf(one, two.csrf)
    assert not check_csrf(one, None)
    assert check_csrf(Principal("bot", Role.RESPONDER, "token"), None)  # no cookie, no CSRF


def test_bearer_tokens_map_to_api_users_with_their_role(tmp_path: Path) -> None:
    sessions = Sessions(settings(tmp_path, session_secret="s" * 32))

    alice = sessions.bearer("Bearer alice-token-1")
    bot = sessions.bearer("Bearer bot-token-2")

    assert alice == Principal("alice", Role.APPROVER, "token")
    assert bot == Principal("bot", Role.RESPONDER, "token")  # ui.token_role
    assert sessions.bearer("Bearer wrong") is None
    assert sessions.bearer("Basic alice-token-1") is None
    assert sessions.bearer(None) is None


def test_without_a_configured_secret_a_private_key_file_is_kept(tmp_path: Path) -> None:
    first = session_key(settings(tmp_path))
    second = session_key(settings(tmp_path))

    path = tmp_path / "ui-session.key"
    assert first == second
    assert len(first) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_revoked_session_is_refused_also_after_a_restart(tmp_path: Path) -> None:
    sessions = Sessions(settings(tmp_path, session_secret="s" * 32))
    kept, revoked = sessions.issue("alice"), sessions.issue("alice")

    sessions.revoke(revoked)
    restarted = Sessions(settings(tmp_path, session_secret="s" * 32))

    assert sessions.principal(revoked) is None
    assert restarted.principal(revoked) is None
    assert restarted.principal(kept) is not None
    assert not (tmp_path / "ui-revoked.json").exists()  # in the database, not beside it


def test_revocations_forget_sessions_once_they_expired(tmp_path: Path) -> None:
    sessions = Sessions(settings(tmp_path, session_secret="s" * 32))
    old = sessions.issue("alice", now=time.time() - 13 * 3600)  # already expired
    sessions.revoke(old)
    sessions.revoke(sessions.issue("alice"))

    with sessions.revocations.sessions.read() as session:
        assert session.execute(text("SELECT count(*) FROM ui_revocations")).scalar() == 1


def test_a_forged_cookie_cannot_be_revoked(tmp_path: Path) -> None:
    sessions = Sessions(settings(tmp_path, session_secret="s" * 32))
    sessions.revoke(Sessions(settings(tmp_path, session_secret="t" * 32)).issue("alice"))
    sessions.revoke("garbage")

    with sessions.revocations.sessions.read() as session:
        assert session.execute(text("SELECT count(*) FROM ui_revocations")).scalar() == 0
