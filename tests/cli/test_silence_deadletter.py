"""``nightowl silence add|list|expire`` and ``nightowl deadletter list|replay`` through Typer's
runner, over a real data dir; dead letters are produced by the real webhook API. The commands act
as the operating-system user ``dana`` (``LOGNAME``, what ``getpass.getuser`` reads), an admin by
``cli.users``, or as ``NIGHTOWL_TOKEN``'s holder."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.app.records import Records
from nightowl.cli.main import app as cli
from nightowl.settings import load_settings
from nightowl.store import IncidentStore
from nightowl.store.intake import load_states
from nightowl.store.intake_tables import AlertStateRow
from nightowl.store.tables import DeadLetterRow

CLEAN_ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None,
    "NIGHTOWL_DATA_DIR": None,
    "NIGHTOWL_WEBHOOK_TOKEN": None,
    "NIGHTOWL_TOKEN": None,
    "LOGNAME": "dana",
    "USER": "dana",
    "COLUMNS": "400",
}
TOKEN = "generic-token-5b7e"
VIC_TOKEN = "vic-api-token-93d0"


def run(*args: str | Path, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=CLEAN_ENV | (env or {}))


def config(tmp_path: Path, name: str, generic: dict[str, Any] | None = None) -> Path:
    path = tmp_path / f"{name}.yaml"
    webhooks: dict[str, Any] = {"tokens": {"generic": [TOKEN]}}
    if generic:
        webhooks["generic"] = generic
    path.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "data"),
                "webhooks": webhooks,
                "intake": {"group_wait_seconds": 60},
                "cli": {"users": {"dana": "admin"}},
                "api": {"users": {"vic": VIC_TOKEN}},
                "ui": {"users": {"vic": {"role": "viewer"}}},
            }
        )
    )
    return path


# silences ----------------------------------------------------------------------------------


def test_silence_add_list_and_expire(tmp_path: Path) -> None:
    cfg = config(tmp_path, "nightowl")

    added = run(
        "silence", "add", "alertname=HighLatency", 'service=~"check.*"',
        "-m", "deploying the fix", "--duration", "30",
        "--config", cfg, "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    silence = json.loads(added.stdout)
    listed = run("silence", "list", "--config", cfg, "--json")
    table = run("silence", "list", "--config", cfg)
    expired = run("silence", "expire", silence["id"], "--config", cfg)
    active = run("silence", "list", "--active", "--config", cfg, "--json")
    after = run("silence", "list", "--config", cfg, "--json")

    assert [m["value"] for m in silence["matchers"]] == ["HighLatency", "check.*"]
    assert silence["created_by"] == "dana"
    [shown] = json.loads(listed.stdout)
    assert (shown["id"], shown["state"], shown["comment"]) == (
        silence["id"],
        "active",
        "deploying the fix",
    )
    assert silence["id"] in table.stdout
    assert 'service=~"check.*"' in table.stdout
    assert expired.exit_code == 0, expired.output
    assert f"silence {silence['id']} expired" in expired.stdout
    assert json.loads(active.stdout) == []
    assert json.loads(after.stdout)[0]["state"] == "expired"


def test_a_regex_matcher_is_shown_as_written_not_taken_for_markup(tmp_path: Path) -> None:
    cfg = config(tmp_path, "nightowl")

    added = run("silence", "add", 'service=~"[a-z]+-api"', "-m", "[b]noisy[/b]", "--config", cfg)
    table = run("silence", "list", "--config", cfg)

    assert added.exit_code == 0, added.output
    assert 'service=~"[a-z]+-api"' in added.stdout
    assert 'service=~"[a-z]+-api"' in table.stdout
    assert "[b]noisy[/b]" in table.stdout


def test_silences_are_added_and_expired_as_the_cli_identity_and_audited(tmp_path: Path) -> None:
    cfg = config(tmp_path, "nightowl")
    add = ("silence", "add", "alertname=HighLatency", "-m", "fix", "--config", cfg, "--json")

    forged = run(*add, "--author", "alice")
    as_viewer_os_user = run(*add, env={"LOGNAME": "eve", "USER": "eve"})  # cli.default_role
    as_viewer_token = run(*add, env={"NIGHTOWL_TOKEN": VIC_TOKEN})
    bad_token = run(*add, env={"NIGHTOWL_TOKEN": "not-a-token"})
    added = run(*add)
    expired = run("silence", "expire", json.loads(added.stdout)["id"], "--config", cfg)

    assert forged.exit_code == 2  # no free-typed identity any more
    assert as_viewer_os_user.exit_code == 1
    assert "eve (viewer) may not create or expire silences" in as_viewer_os_user.stderr
    assert "cli.users.eve" in as_viewer_os_user.stderr
    assert as_viewer_token.exit_code == 1
    assert "vic (viewer) may not create or expire silences" in as_viewer_token.stderr
    assert bad_token.exit_code == 1
    assert "NIGHTOWL_TOKEN is not a token from api.users" in bad_token.stderr
    assert expired.exit_code == 0, expired.output
    records = Records.open(load_settings(config=cfg, environ={}))
    try:
        trail = [(r.kind, r.actor, r.data.get("via")) for r in records.audit_records()]
    finally:
        records.close()
    assert trail == [
        ("access.refused", "eve", "cli"),
        ("access.refused", "vic", "cli-token"),
        ("silence-added", "dana", "cli"),
        ("silence-expired", "dana", "cli"),
    ]


def test_silence_add_with_a_bad_matcher_says_what_is_expected(tmp_path: Path) -> None:
    result = run("silence", "add", "service~checkout", "-m", "x", "--config", config(tmp_path, "n"))

    assert result.exit_code == 1
    assert "cannot read matcher" in result.stderr
    assert "Traceback" not in result.output


def test_silence_expire_of_an_unknown_id_is_one_clear_line(tmp_path: Path) -> None:
    path = config(tmp_path, "n")
    assert run("db", "migrate", "--config", path).exit_code == 0  # a store without that silence
    result = run("silence", "expire", "nope", "--config", path)

    assert result.exit_code == 1
    assert "no silence 'nope'" in result.stderr


# dead letters ------------------------------------------------------------------------------

SECRET_HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "X-Api-Key": "key-1f0e",
    "X-Signature-256": "sha256=00ff",
    "X-PagerDuty-Signature": "v1=00ff",
}
BODY = json.dumps(
    {"items": [{"title": "Backup failed", "state": "alerting", "tags": {"service": "backup"}}]}
).encode()


def post(cfg: Path, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """One webhook through the real API of an unlaunched Nightowl (rejections need no DBOS)."""
    app = Nightowl(load_settings(config=cfg, environ={}))

    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_api(app))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as c:
                return await c.post("/api/v1/webhooks/generic", content=body, headers=headers)
        finally:
            await app.stop_background()

    try:
        return asyncio.run(main())
    finally:
        app.shutdown()


def test_a_rejected_body_is_listed_then_replayed_after_the_mapping_is_fixed(
    tmp_path: Path,
) -> None:
    broken = config(tmp_path, "broken")  # the default mapping looks for "alerts"
    fixed = config(
        tmp_path,
        "fixed",
        {"alerts": "items", "name": "title", "status": "state", "labels": "tags"},
    )
    rejected = post(broken, BODY, {**SECRET_HEADERS, "X-Request-Id": "req-7"})
    assert rejected.status_code == 422
    letter_id = rejected.json()["dead_letter_id"]

    listed = run("deadletter", "list", "--json", "--config", broken)
    replayed = run("deadletter", "replay", str(letter_id), "--config", fixed, "--json")
    after = run("deadletter", "list", "--json", "--config", fixed)
    table = run("deadletter", "list", "--config", fixed)

    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.stdout)
    assert row["id"] == letter_id
    assert row["source"] == "generic"
    assert row["body"] == BODY.decode()
    assert row["bytes"] == len(BODY)
    assert "alerts.0.name" in row["reason"]
    assert row["replayed_at"] is None
    assert replayed.exit_code == 0, replayed.output
    result = json.loads(replayed.stdout)
    assert result["new_alerts"] == 1
    assert result["detail"].startswith(f"replayed dead letter {letter_id}:")
    assert json.loads(after.stdout)[0]["replayed_at"] is not None
    [replay] = audited(fixed, "deadletter.replay")
    assert (replay.data["dead_letter_id"], replay.data["sender"]) == (letter_id, "bearer")
    assert "yes" in table.stdout
    store = IncidentStore.open(load_settings(config=fixed, environ={}).store_url)
    try:
        with Session(store.engine) as session:
            fingerprints = list(session.scalars(select(AlertStateRow.fingerprint)))
            [state] = load_states(session, fingerprints).values()
        assert (state.name, state.labels["service"]) == ("Backup failed", "backup")
        [letter] = store.list_dead_letters()
        stored = {k.lower() for k in letter.headers}
        assert stored.isdisjoint({h.lower() for h in SECRET_HEADERS})
        assert "x-request-id" in stored
        assert "key-1f0e" not in json.dumps(letter.headers)
    finally:
        store.close()


def test_replaying_an_unknown_dead_letter_says_how_to_list_them(tmp_path: Path) -> None:
    result = run("deadletter", "replay", "999", "--config", config(tmp_path, "n"))

    assert result.exit_code == 1
    assert "no dead letter 999" in result.stderr
    assert "nightowl deadletter list" in result.stderr


def test_replaying_under_a_still_broken_mapping_fails_clearly_and_keeps_the_letter(
    tmp_path: Path,
) -> None:
    broken = config(tmp_path, "broken")
    letter_id = post(broken, BODY, SECRET_HEADERS).json()["dead_letter_id"]

    result = run("deadletter", "replay", str(letter_id), "--config", broken)

    assert result.exit_code == 1
    assert "generic payload at 'alerts.0.name'" in result.stderr
    [row] = json.loads(run("deadletter", "list", "--json", "--config", broken).stdout)
    assert row["replayed_at"] is None


def test_reading_dead_letters_takes_a_responder_and_replaying_an_admin(tmp_path: Path) -> None:
    cfg = config(tmp_path, "nightowl")
    letter_id = post(cfg, BODY, SECRET_HEADERS).json()["dead_letter_id"]
    responder = tmp_path / "responder.yaml"
    raw = yaml.safe_load(cfg.read_text())
    responder.write_text(yaml.safe_dump(raw | {"cli": {"users": {"dana": "responder"}}}))

    viewer_lists = run("deadletter", "list", "--config", cfg, env={"NIGHTOWL_TOKEN": VIC_TOKEN})
    responder_lists = run("deadletter", "list", "--json", "--config", responder)
    responder_replays = run("deadletter", "replay", str(letter_id), "--config", responder)

    assert viewer_lists.exit_code == 1
    assert "vic (viewer) may not read dead letters" in viewer_lists.stderr
    assert responder_lists.exit_code == 0, responder_lists.output
    assert responder_replays.exit_code == 1
    assert "dana (responder) may not replay dead letters: it takes the admin role" in (
        responder_replays.stderr
    )
    [row] = json.loads(responder_lists.stdout)
    assert row["replayed_at"] is None


def set_row(cfg: Path, letter_id: int, **values: Any) -> None:
    """Change a stored dead letter as an older nightowl (or a since-removed source) left it."""
    store = IncidentStore.open(load_settings(config=cfg, environ={}).store_url)
    try:
        with Session(store.engine) as session, session.begin():
            row = session.get(DeadLetterRow, letter_id)
            assert row is not None
            for key, value in values.items():
                setattr(row, key, value)
    finally:
        store.close()


def test_replay_refuses_a_letter_kept_without_an_authenticated_sender(tmp_path: Path) -> None:
    broken = config(tmp_path, "broken")
    letter_id = post(broken, BODY, SECRET_HEADERS).json()["dead_letter_id"]
    set_row(broken, letter_id, sender=None)  # kept before senders were recorded

    result = run("deadletter", "replay", str(letter_id), "--config", broken)

    assert result.exit_code == 1
    assert "not kept for an authenticated sender" in result.stderr


def test_replay_refuses_a_letter_whose_source_no_longer_exists(tmp_path: Path) -> None:
    broken = config(tmp_path, "broken")
    letter_id = post(broken, BODY, SECRET_HEADERS).json()["dead_letter_id"]
    set_row(broken, letter_id, source="retired-tool")

    result = run("deadletter", "replay", str(letter_id), "--config", broken)

    assert result.exit_code == 1
    assert "unknown alert source 'retired-tool'" in result.stderr


def test_purge_drops_letters_older_than_asked(tmp_path: Path) -> None:
    broken = config(tmp_path, "broken")
    for _ in range(2):
        assert post(broken, BODY, SECRET_HEADERS).status_code == 422

    kept = run("deadletter", "purge", "--config", broken, "--json")
    purged = run("deadletter", "purge", "--older-than", "0s", "--config", broken, "--json")
    bad = run("deadletter", "purge", "--older-than", "soon", "--config", broken)

    assert json.loads(kept.stdout) == {"purged": 0}  # both are within the 14-day retention
    assert json.loads(purged.stdout) == {"purged": 2}
    assert json.loads(run("deadletter", "list", "--json", "--config", broken).stdout) == []
    assert bad.exit_code == 2
    assert "write a number and a unit" in bad.output
    assert [r.data["purged"] for r in audited(broken, "deadletter.purge")] == [0, 2]


def audited(cfg: Path, kind: str) -> list[Any]:
    records = Records.open(load_settings(config=cfg, environ={}))
    try:
        return [r for r in records.audit_records() if r.kind == kind]
    finally:
        records.close()
