"""How a webhook request proves its sender: bearer tokens (per source and "*"), HMAC signatures
(PagerDuty's ``X-PagerDuty-Signature``, with secret rotation) and basic auth."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.errors import AuthError
from nightowl.settings import Settings
from nightowl.sources.auth import authenticate
from nightowl.sources.generic import GenericSource
from nightowl.sources.pagerduty import PagerDutySource
from tests.conftest import SettingsFactory

BODY = b'{"event": {"id": "e1"}}'
OLD, NEW = "pd-secret-old-7f3a", "pd-secret-new-19be"


def settings(tmp_path: Path, **webhooks: Any) -> Settings:
    return Settings.model_validate({"data_dir": str(tmp_path), "webhooks": webhooks})


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def basic(credentials: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


def refused(name: str, config: Settings, headers: dict[str, str], body: bytes = BODY) -> str:
    source: object = PagerDutySource() if name == "pagerduty" else GenericSource()
    with pytest.raises(AuthError) as caught:
        authenticate(source, name, config, headers, body)
    return str(caught.value)


# bearer ------------------------------------------------------------------------------------


def test_a_bearer_token_is_accepted_for_its_own_source_only(tmp_path: Path) -> None:
    config = settings(tmp_path, tokens={"generic": ["tok-generic"], "grafana": ["tok-grafana"]})

    who = authenticate(None, "generic", config, {"authorization": "Bearer tok-generic"}, BODY)

    assert who == "bearer"
    message = refused("generic", config, {"authorization": "Bearer tok-grafana"})
    assert message == "the bearer token is not accepted for this source"
    assert "tok-generic" not in message


def test_a_star_token_is_accepted_by_every_source(tmp_path: Path) -> None:
    config = settings(tmp_path, tokens={"*": ["tok-all"], "generic": ["tok-generic"]})

    for name in ("generic", "datadog", "opsgenie", "silences"):
        assert authenticate(None, name, config, {"authorization": "Bearer tok-all"}, b"") == (
            "bearer"
        )
    assert authenticate(None, "generic", config, {"authorization": "bearer tok-generic"}, b"")


@pytest.mark.parametrize(
    "header",
    [{}, {"authorization": "Bearer"}, {"authorization": "Token tok-all"}, {"x-api-key": "tok"}],
)
def test_a_missing_bearer_token_says_how_to_send_it(tmp_path: Path, header: dict[str, str]) -> None:
    config = settings(tmp_path, tokens={"*": ["tok-all"]})

    message = refused("generic", config, header)

    assert message == "missing bearer token: send 'Authorization: Bearer <token>'"


def test_no_token_configured_says_what_to_configure(tmp_path: Path) -> None:
    config = settings(tmp_path, tokens={"grafana": ["tok-grafana"]})

    message = refused("generic", config, {"authorization": "Bearer tok-grafana"})

    assert "no webhook token is configured for source 'generic'" in message
    assert "NIGHTOWL_WEBHOOK_TOKEN" in message
    assert "webhooks.tokens" in message


# hmac (PagerDuty) ----------------------------------------------------------------------------


def pagerduty(tmp_path: Path, *secrets: str) -> Settings:
    return settings(tmp_path, auth={"pagerduty": {"kind": "hmac", "secrets": list(secrets)}})


def test_a_valid_pagerduty_signature_is_accepted(tmp_path: Path) -> None:
    config = pagerduty(tmp_path, OLD)
    headers = {"x-pagerduty-signature": f"v1={sign(OLD, BODY)}"}

    assert authenticate(PagerDutySource(), "pagerduty", config, headers, BODY) == "hmac"


def test_during_rotation_one_valid_signature_among_several_is_enough(tmp_path: Path) -> None:
    config = pagerduty(tmp_path, NEW)  # nightowl already has the new secret only
    header = f"v1={sign(OLD, BODY)}, v1={sign(NEW, BODY)}"

    who = authenticate(
        PagerDutySource(), "pagerduty", config, {"x-pagerduty-signature": header}, BODY
    )

    assert who == "hmac"


def test_during_rotation_either_configured_secret_is_accepted(tmp_path: Path) -> None:
    config = pagerduty(tmp_path, OLD, NEW)

    for secret in (OLD, NEW):
        headers = {"x-pagerduty-signature": f"v1={sign(secret, BODY)}"}
        assert authenticate(PagerDutySource(), "pagerduty", config, headers, BODY) == "hmac"


def test_an_uppercase_hex_signature_is_accepted(tmp_path: Path) -> None:
    config = pagerduty(tmp_path, OLD)
    headers = {"x-pagerduty-signature": f"v1={sign(OLD, BODY).upper()}"}

    assert authenticate(PagerDutySource(), "pagerduty", config, headers, BODY) == "hmac"


def test_a_wrong_signature_is_refused(tmp_path: Path) -> None:
    config = pagerduty(tmp_path, NEW)
    headers = {"x-pagerduty-signature": f"v1={sign('someone-else', BODY)}"}

    message = refused("pagerduty", config, headers)

    assert message == "no signature matches the body for any configured secret"
    assert NEW not in message


def test_a_body_altered_after_signing_is_refused(tmp_path: Path) -> None:
    config = pagerduty(tmp_path, OLD)
    headers = {"x-pagerduty-signature": f"v1={sign(OLD, BODY)}"}

    message = refused("pagerduty", config, headers, BODY.replace(b"e1", b"e2"))

    assert "no signature matches the body" in message


def test_a_missing_signature_header_is_named(tmp_path: Path) -> None:
    config = pagerduty(tmp_path, OLD)

    message = refused("pagerduty", config, {"authorization": "Bearer whatever"})

    assert message == "missing signature header 'x-pagerduty-signature'"


def test_a_signature_of_another_scheme_is_refused(tmp_path: Path) -> None:
    config = pagerduty(tmp_path, OLD)
    headers = {"x-pagerduty-signature": f"v0={sign(OLD, BODY)}"}

    message = refused("pagerduty", config, headers)

    assert "has no v1=<hex> signature" in message


def test_hmac_without_secrets_says_what_to_add(tmp_path: Path) -> None:
    config = pagerduty(tmp_path)

    message = refused("pagerduty", config, {"x-pagerduty-signature": "v1=00"})

    assert "webhooks.auth.<source>.secrets" in message


def test_other_sources_sign_with_x_signature_256(tmp_path: Path) -> None:
    config = settings(tmp_path, auth={"generic": {"kind": "hmac", "secrets": [OLD]}})
    good = {"x-signature-256": f"sha256={sign(OLD, BODY)}"}

    assert authenticate(GenericSource(), "generic", config, good, BODY) == "hmac"
    assert "missing signature header 'x-signature-256'" in refused("generic", config, {})


# basic -------------------------------------------------------------------------------------


def basic_settings(tmp_path: Path) -> Settings:
    return settings(
        tmp_path, auth={"generic": {"kind": "basic", "users": {"zabbix": "pa:ss-w0rd"}}}
    )


def test_basic_auth_with_the_right_password_names_the_user(tmp_path: Path) -> None:
    config = basic_settings(tmp_path)

    who = authenticate(None, "generic", config, basic("zabbix:pa:ss-w0rd"), BODY)

    assert who == "basic:zabbix"  # a colon in the password is kept


@pytest.mark.parametrize("credentials", ["zabbix:wrong", "nobody:pa:ss-w0rd", "zabbix"])
def test_basic_auth_with_bad_credentials_is_refused(tmp_path: Path, credentials: str) -> None:
    message = refused("generic", basic_settings(tmp_path), basic(credentials))

    assert message == "unknown user or wrong password"


@pytest.mark.parametrize("encoded", ["not*base64!", "////", base64.b64encode(b"\xff\xfe").decode()])
def test_basic_auth_with_garbage_is_refused_clearly(tmp_path: Path, encoded: str) -> None:
    message = refused("generic", basic_settings(tmp_path), {"authorization": f"Basic {encoded}"})

    assert message == "basic credentials are not valid base64 of user:password"


def test_basic_auth_without_credentials_says_how_to_send_them(tmp_path: Path) -> None:
    message = refused("generic", basic_settings(tmp_path), {"authorization": "Bearer x"})

    assert "send 'Authorization: Basic <base64 user:password>'" in message


# through the API ---------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path, settings_for: SettingsFactory) -> Iterator[Nightowl]:
    """An unlaunched Nightowl whose PagerDuty webhook is signed; groups wait, so no workflow."""
    app = Nightowl(
        settings_for(
            tmp_path,
            webhooks={"auth": {"pagerduty": {"kind": "hmac", "secrets": [NEW]}}},
            intake={"group_wait_seconds": 60},
        )
    )
    yield app
    app.shutdown()


def post(app: Nightowl, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_api(app))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as c:
                return await c.post("/api/v1/webhooks/pagerduty", content=body, headers=headers)
        finally:
            await app.stop_background()

    return asyncio.run(main())


def test_a_signed_pagerduty_webhook_is_accepted(app: Nightowl, alert_fixtures: Path) -> None:
    body = (alert_fixtures / "pagerduty_v3_priority_updated.json").read_bytes()
    signature = f"v1={sign(OLD, body)},v1={sign(NEW, body)}"

    response = post(app, body, {"X-PagerDuty-Signature": signature})

    assert response.status_code == 202, response.text
    assert response.json()["new_alerts"] == 1
    assert app.store.list_dead_letters() == []


def test_an_altered_pagerduty_webhook_is_401_and_not_stored(
    app: Nightowl, alert_fixtures: Path
) -> None:
    signed = (alert_fixtures / "pagerduty_v3_priority_updated.json").read_bytes()
    data = json.loads(signed)
    data["event"]["data"]["title"] = "nothing to see here"
    altered = json.dumps(data).encode()

    response = post(
        app,
        altered,
        {"X-PagerDuty-Signature": f"v1={sign(NEW, signed)}", "X-Webhook-Id": "wh-1"},
    )

    assert response.status_code == 401
    assert "no signature matches the body" in response.json()["error"]
    assert response.json()["dead_letter_id"] is None
    assert app.store.list_dead_letters() == []  # anyone can send it: counted, not stored
    assert app.store.list() == []


def test_a_signed_but_malformed_pagerduty_webhook_is_kept_without_its_signature(
    app: Nightowl,
) -> None:
    body = b'{"event": {"event_type": "incident.triggered"}}'
    headers = {"X-PagerDuty-Signature": f"v1={sign(NEW, body)}", "X-Request-Id": "wh-1"}

    response = post(app, body, headers)

    assert response.status_code == 422
    [letter] = app.store.list_dead_letters()
    assert letter.id == response.json()["dead_letter_id"]
    assert (letter.body, letter.sender) == (body, "hmac")
    stored = {k.lower(): v for k, v in letter.headers.items()}
    assert "x-pagerduty-signature" not in stored
    assert sign(NEW, body) not in json.dumps(letter.headers)
    assert stored["x-request-id"] == "wh-1"
