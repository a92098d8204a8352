"""E-mail through the configured SMTP server (``WUHAO_SMTP_*``): plain, STARTTLS or SSL, with an
optional login. Nothing here decides who is told what (``service.usecases.messages`` does)."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .config import Settings

TIMEOUT_SECONDS = 10


def configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def send(settings: Settings, messages: list[tuple[str, str, str]]) -> int:
    """Send ``(to, subject, body)`` mails over one connection; the number sent.

    An SMTP failure raises (``smtplib.SMTPException`` or ``OSError``): the caller keeps the
    messages unsent and tries again next time."""
    if not messages or not configured(settings):
        return 0
    if settings.smtp_tls == "ssl":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS,
                                              context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)
    with conn:
        if settings.smtp_tls == "starttls":
            conn.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            conn.login(settings.smtp_user, settings.smtp_password or "")
        for to, subject, body in messages:
            mail = EmailMessage()
            mail["From"] = settings.smtp_sender
            mail["To"] = to
            mail["Subject"] = subject
            mail["Date"] = formatdate(localtime=True)
            mail["Message-ID"] = make_msgid(domain=settings.smtp_sender.rpartition("@")[2] or "localhost")
            mail.set_content(body)
            conn.send_message(mail)
    return len(messages)
