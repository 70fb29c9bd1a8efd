"""E-mail over SMTP, delivered to a real aiosmtpd server the test starts on loopback: the message,
its HTML part and attached report, login, and failures as ``ok=False`` without secrets."""

from __future__ import annotations

import asyncio
import email
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message as MailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from nightowl_lab.harness.ports import free_port

from nightowl.clock import ScenarioClock
from nightowl.errors import NotifyError
from nightowl.notify.email import EmailConfig, EmailNotifier
from nightowl.notify.routing import Notice

AT = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)
PASSWORD = "smtp-pass-7731"


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], MailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == b"nightowl"
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def mailer(port: int, **config: Any) -> EmailNotifier:
    options = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from": "nightowl@example.org",
        "to": ["oncall@example.org", "sre@example.org"],
        "timeout_seconds": 5,
        **config,
    }
    return EmailNotifier("email", EmailConfig.model_validate(options), ScenarioClock(AT))


def notice(tmp_path: Path | None = None) -> Notice:
    report = None
    if tmp_path is not None:
        report = tmp_path / "inc-1.html"
        report.write_text("<html><body><h1>Post-incident report</h1></body></html>")
    return Notice(
        incident_id="inc-1",
        title="HighLatency on checkout",
        status="resolved",
        text="bad_deploy on checkout (0.97); rolled back; recovered",
        service="checkout",
        severity="critical",
        url="https://nightowl.example.org/ui/incidents/inc-1",
        report_html_path=str(report) if report else None,
    )


def test_the_message_arrives_with_text_html_and_the_report(
    smtp: tuple[int, Inbox], tmp_path: Path
) -> None:
    port, inbox = smtp

    note = asyncio.run(mailer(port).send(notice(tmp_path)))

    assert (note.ok, note.detail) == (True, f"mailed 2 recipient(s) via 127.0.0.1:{port}")
    [(recipients, mail)] = inbox.mails
    assert recipients == ["oncall@example.org", "sre@example.org"]
    assert mail["Subject"] == "[nightowl] [resolved] HighLatency on checkout"
    assert mail["From"] == "nightowl@example.org"
    assert mail["References"] == "<inc-1@nightowl>"
    parts = {p.get_content_type(): p for p in mail.walk() if not p.get_filename()}
    assert "bad_deploy on checkout" in text_of(parts["text/plain"])
    assert "https://nightowl.example.org/ui/incidents/inc-1" in text_of(parts["text/html"])
    attachments = [p for p in mail.walk() if p.get_filename()]
    assert [a.get_filename() for a in attachments] == ["inc-1.html"]
    assert b"Post-incident report" in attachments[0].get_payload(decode=True)


def test_the_report_page_from_the_store_is_attached_without_a_local_file(
    smtp: tuple[int, Inbox],
) -> None:
    port, inbox = smtp
    stored = notice().model_copy(update={"report_html": "<html>written by another replica</html>"})

    asyncio.run(mailer(port).send(stored))

    [(_, mail)] = inbox.mails
    attachments = [p for p in mail.walk() if p.get_filename()]
    assert [a.get_filename() for a in attachments] == ["inc-1.html"]
    assert b"written by another replica" in attachments[0].get_payload(decode=True)


def text_of(part: MailMessage) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_the_mail_links_the_alerts_own_page(smtp: tuple[int, Inbox]) -> None:
    port, inbox = smtp
    graph = "http://prometheus.example:9090/graph?g0.expr=up&g0.tab=0"

    asyncio.run(mailer(port).send(notice().model_copy(update={"alert_links": (graph,)})))

    [(_, mail)] = inbox.mails
    parts = {p.get_content_type(): p for p in mail.walk() if not p.get_filename()}
    assert f"Alert source: {graph}" in text_of(parts["text/plain"])
    assert "href='http://prometheus.example:9090/graph?g0.expr=up&amp;g0.tab=0'" in text_of(
        parts["text/html"]
    )


def test_login_with_the_right_password(smtp: tuple[int, Inbox]) -> None:
    port, inbox = smtp

    note = asyncio.run(mailer(port, username="nightowl", password=PASSWORD).send(notice()))

    assert note.ok, note.detail
    assert len(inbox.mails) == 1


def test_a_refused_login_is_not_ok_and_keeps_the_password_secret(smtp: tuple[int, Inbox]) -> None:
    port, inbox = smtp

    note = asyncio.run(
        mailer(port, username="nightowl", password="wrong-password-x").send(notice())
    )

    assert note.ok is False
    assert note.detail == f"SMTP login refused by 127.0.0.1:{port} (535)"
    assert inbox.mails == []


def test_an_unreachable_server_is_not_ok() -> None:
    port = free_port()

    note = asyncio.run(mailer(port).send(notice()))

    assert note.ok is False
    assert note.detail.startswith(f"cannot mail through 127.0.0.1:{port}: ConnectionRefusedError")
    assert "example.org" not in note.detail


def test_check_logs_in_and_sends_nothing(smtp: tuple[int, Inbox]) -> None:
    port, inbox = smtp
    asyncio.run(mailer(port, username="nightowl", password=PASSWORD).check())
    assert inbox.mails == []


def test_check_names_a_refused_login_and_an_unreachable_server(smtp: tuple[int, Inbox]) -> None:
    port, _ = smtp
    with pytest.raises(
        NotifyError, match=rf"notifier 'email': SMTP login refused by 127\.0\.0\.1:{port} \(535\)"
    ):
        asyncio.run(mailer(port, username="nightowl", password="wrong").check())
    dead = free_port()
    with pytest.raises(NotifyError, match=rf"notifier 'email': cannot reach 127\.0\.0\.1:{dead}: "):
        asyncio.run(mailer(dead).check())
