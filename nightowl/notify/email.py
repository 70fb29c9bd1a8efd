"""``kind: email`` — mail each message over SMTP (plain text and HTML; the HTML report attached
once it exists).

The standard library's ``smtplib`` runs in a worker thread (the event loop never blocks), with
STARTTLS (default), implicit TLS or none, and optional login. Delivery failures — refused
connection, rejected login or recipients, timeouts — come back as ``ok=False`` with one line that
names the server, never the password or the recipients' addresses.
"""

from __future__ import annotations

import asyncio
import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from nightowl.clock import Clock
from nightowl.domain import Notification
from nightowl.errors import NotifyError
from nightowl.notify.protocol import Message
from nightowl.notify.routing import Notice

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


class EmailConfig(BaseModel):
    """``kind: email``: the SMTP server, how to secure and log in to it, and who gets the mail.

    ``security`` is ``starttls`` (port 587), ``tls`` (implicit TLS, port 465) or ``none``; login
    happens only when both username and password are given. ``attach_report`` attaches the HTML
    report when the incident has one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field(alias="from", description="The From address.")
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[nightowl]"
    timeout_seconds: float = 10.0
    attach_report: bool = True


class EmailNotifier:
    """Mails each message to ``to`` in a worker thread (smtplib is blocking); one connection per
    message. SMTP failures (refused login, refused recipients, an error answer, an unreachable
    server) come back as ``ok=False`` naming the server, never as exceptions.
    """

    Config = EmailConfig

    def __init__(self, name: str, config: EmailConfig, clock: Clock) -> None:
        self.name = name
        self.config = config
        self.clock = clock

    async def send(self, message: Message) -> Notification:
        """Mail ``message``; the Notification says how many recipients, or why it failed."""
        notice = Notice.of(message)
        at = self.clock.now()
        mail = compose(notice, self.config)
        where = f"{self.config.host}:{self.config.port}"
        try:
            await asyncio.to_thread(self._deliver, mail)
        except smtplib.SMTPAuthenticationError as exc:
            detail = f"SMTP login refused by {where} ({exc.smtp_code})"
        except smtplib.SMTPRecipientsRefused:
            detail = f"{where} refused every recipient"
        except smtplib.SMTPResponseException as exc:
            detail = f"{where} answered {exc.smtp_code}: {_text(exc.smtp_error)}"
        except (smtplib.SMTPException, OSError) as exc:
            detail = f"cannot mail through {where}: {type(exc).__name__} {exc}".strip()[:300]
        else:
            count = len(self.config.to)
            return Notification(
                channel=self.name,
                ok=True,
                sent_at=at,
                detail=f"mailed {count} recipient(s) via {where}",
            )
        return Notification(channel=self.name, ok=False, sent_at=at, detail=detail)

    async def check(self) -> None:
        """Connect, secure and log in as a send would, then quit without mailing; NotifyError
        naming the server when any step fails."""
        where = f"{self.config.host}:{self.config.port}"
        try:
            await asyncio.to_thread(self._deliver, None)
        except smtplib.SMTPAuthenticationError as exc:
            raise NotifyError(
                f"SMTP login refused by {where} ({exc.smtp_code})", notifier=self.name
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise NotifyError(
                f"cannot reach {where}: {type(exc).__name__} {exc}".strip()[:300],
                notifier=self.name,
            ) from None

    def _deliver(self, mail: EmailMessage | None) -> None:
        """Send ``mail``; with None, only connect, secure and log in."""
        cfg = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if cfg.security == "tls":
            smtp = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout_seconds, context=context
            )
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds)
        with smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=context)
            if cfg.username and cfg.password:
                smtp.login(cfg.username, cfg.password.get_secret_value())
            if mail is not None:
                smtp.send_message(mail)


def compose(notice: Notice, config: EmailConfig) -> EmailMessage:
    """The mail for ``notice``: plain text and HTML, threaded per incident by ``References``."""
    mail = EmailMessage()
    mail["Subject"] = f"{config.subject_prefix} [{notice.status}] {notice.title}".strip()
    mail["From"] = config.sender
    mail["To"] = ", ".join(config.to)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain="nightowl")
    # Mail clients thread on References: every message about an incident shares one.
    mail["References"] = f"<{notice.incident_id}@nightowl>"
    lines = [notice.title, "", notice.text, "", f"Incident: {notice.incident_id}"]
    lines += [f"Status: {notice.status}"]
    lines += [f"Service: {notice.service}"] if notice.service else []
    lines += [f"Severity: {notice.severity}"] if notice.severity else []
    for r in notice.approvals:
        lines += ["", f"Approval needed ({r.id}): {r.plan}", f"  rollback: {r.rollback}"]
    lines += [f"Open: {notice.url}"] if notice.url else []
    lines += [f"Alert source: {u}" for u in notice.alert_links]
    lines += [f"Report: {notice.report_path}"] if notice.report_path else []
    mail.set_content("\n".join(lines) + "\n")
    mail.add_alternative(_html(notice), subtype="html")
    data = _report_page(notice) if config.attach_report else None
    if data is not None and len(data) <= MAX_ATTACHMENT_BYTES:
        mail.add_attachment(
            data, maintype="text", subtype="html", filename=f"{notice.incident_id}.html"
        )
    return mail


def _report_page(notice: Notice) -> bytes | None:
    """The report's HTML page: as the store keeps it (written by any replica), else the file."""
    if notice.report_html is not None:
        return notice.report_html.encode("utf-8")
    report = Path(notice.report_html_path) if notice.report_html_path else None
    return report.read_bytes() if report is not None and report.is_file() else None


def _html(notice: Notice) -> str:
    e = html.escape
    rows = [("Incident", notice.incident_id), ("Status", notice.status)]
    rows += [("Service", notice.service)] if notice.service else []
    rows += [("Severity", notice.severity)] if notice.severity else []
    table = "".join(f"<tr><th align='left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    approvals = "".join(
        f"<p><b>Approval needed</b> ({e(r.id)}): {e(r.plan)}<br>rollback: {e(r.rollback)}</p>"
        for r in notice.approvals
    )
    link = f"<p><a href='{e(notice.url)}'>Open in nightowl</a></p>" if notice.url else ""
    link += "".join(f"<p><a href='{e(u)}'>Alert source</a></p>" for u in notice.alert_links)
    return (
        f"<html><body><h2>{e(notice.title)}</h2><p>{e(notice.text)}</p>"
        f"<table>{table}</table>{approvals}{link}</body></html>"
    )


def _text(raw: bytes | str) -> str:
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    return text.replace("\n", " ")[:200]
