"""Redaction: credentials, token shapes, secret key=value pairs, passwords in URLs, private keys and
e-mail addresses leave no trace; ordinary incident text is kept word for word."""

from __future__ import annotations

import pytest

from nightowl.notify.redact import EMAIL, REDACTED, redact

SECRETS = [
    ("Authorization: Bearer abc.def-1234567890", "abc.def-1234567890"),
    (
        "curl -H 'Authorization: token ghp_abcdefghijklmnopqrstuvwxyz0123'",
        "ghp_abcdefghijklmnopqrst",
    ),
    ("login failed password=hunter2 for user bob", "hunter2"),
    ('db_password: "s3cr3t with spaces"', "s3cr3t with spaces"),
    ('{"api_key": "k-12345", "x": 1}', "k-12345"),
    ("client_secret=abc123&grant=x", "abc123"),
    ("connecting to postgres://app:pw-9911@db.internal:5432/shop", "pw-9911"),
    ("bot token xoxb-1234567890-abcdefghijklmn leaked", "xoxb-1234567890"),
    ("aws AKIAIOSFODNN7EXAMPLE in env", "AKIAIOSFODNN7EXAMPLE"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl here", "eyJzdWIiOiIxMjM0In0"),
    ("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "sk-ant-api03"),
    ("Basic dXNlcjpwYXNzd29yZDEyMw== sent", "dXNlcjpwYXNzd29yZDEyMw=="),
    ("https://hooks.example.org/x?sig=abcdef123&v=1", "abcdef123"),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----",
        "MIIEow",
    ),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_secrets_are_removed(text: str, secret: str) -> None:
    cleaned = redact(text)

    assert secret not in cleaned
    assert REDACTED in cleaned


def test_email_addresses_are_replaced() -> None:
    assert redact("deployed by sam.lee+ops@example.com at 02:51") == f"deployed by {EMAIL} at 02:51"


def test_known_secrets_are_removed_wherever_they_appear() -> None:
    cleaned = redact(
        "the token is plainword-that-looks-harmless, really", ["plainword-that-looks-harmless"]
    )

    assert cleaned == f"the token is {REDACTED}, really"


def test_short_known_values_are_ignored_so_text_survives() -> None:
    assert redact("a b c", ["a"]) == "a b c"


@pytest.mark.parametrize(
    "text",
    [
        "bad_deploy on checkout (0.97): checkout v2.4.1, deployed at 02:51, was followed 4 min later",
        "POST /api/v1/checkout failed: payment authorization timed out after 3000ms order=42",
        "basic authentication failed for the admin page",
        "token expired; refresh scheduled",
        "recovered: checkout error_rate 0.00201 ≤ 0.01, latency_p99 0.248 ≤ 0.374",
    ],
)
def test_ordinary_incident_text_is_kept(text: str) -> None:
    assert redact(text) == text


def test_redaction_is_idempotent() -> None:
    once = redact("Authorization: Bearer abc.def-1234567890; password=x")

    assert redact(once) == once
    assert once == f"Authorization: {REDACTED}; password={REDACTED}"
