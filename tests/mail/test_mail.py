"""Mail: SMTP against a real server, the ``mail.send`` job, ``flask mail test``."""

from __future__ import annotations

import dataclasses
import logging
import socket
from collections.abc import Iterator

import pytest
from flask import Flask

from elearn.jobs.binding import current_jobs
from elearn.mail.binding import bind_mailer, current_mailer
from elearn.mail.job import queue_mail
from elearn.mail.log_mailer import LogMailer
from elearn.mail.memory import MemoryMailer
from elearn.mail.message import MailError, Message
from elearn.mail.smtp import SmtpMailer
from elearn.models.job import JobState
from tests.mail.conftest import Inbox, free_port, mail_settings

SUBJECT = "Sertifikat Pelatihan Dasar CPNS — Kota Palu (ñ, é)"
TEXT = "Selamat, Anda telah menyelesaikan pelatihan. Nilai akhir: 87 — “sangat baik”.\n"


def test_smtp_mailer_delivers_utf8_subject_and_body(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    SmtpMailer(mail_settings(port)).send(
        Message(
            to="andi.pratama@palukota.go.id",
            subject=SUBJECT,
            text=TEXT,
            html="<p>Selamat — <b>lulus</b></p>",
            reply_to="bkpsdm@palukota.go.id",
        )
    )
    assert inbox.recipients == [["andi.pratama@palukota.go.id"]]
    received = inbox.messages[0]
    assert received["Subject"] == SUBJECT
    assert received["Reply-To"] == "bkpsdm@palukota.go.id"
    assert received["From"] == "eLearn ASN <noreply@elearn.test>"
    text = received.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.replace("\r\n", "\n") == TEXT  # SMTP carries lines with CRLF
    html = received.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Selamat — <b>lulus</b>" in html


@pytest.fixture
def memory_mailer(app: Flask) -> MemoryMailer:
    """A MemoryMailer bound as the test app's mailer."""
    mailer = MemoryMailer()
    bind_mailer(app, mailer)
    return mailer


def test_the_app_without_mail_server_only_logs(app: Flask) -> None:
    assert isinstance(current_mailer(), LogMailer)
    result = app.test_cli_runner().invoke(args=["mail", "test", "admin@palukota.go.id"])
    assert result.exit_code == 1
    assert "MAIL_SERVER is not set" in result.output


def test_mail_job_sends_once_per_key(app: Flask, memory_mailer: MemoryMailer) -> None:
    jobs = current_jobs()
    message = Message(to="nur.aisyah@mamujukab.go.id", subject=SUBJECT, text=TEXT)
    first = queue_mail(jobs, message, key="reset:42:1")
    second = queue_mail(jobs, message, key="reset:42:1")  # a retried request submits again
    assert second.id == first.id
    jobs.run(first.id)  # a redelivered queue message runs the finished job again
    assert first.state == JobState.DONE
    assert len(memory_mailer.sent) == 1
    sent = memory_mailer.sent[0]
    assert (sent.to, sent.subject, sent.text) == (message.to, SUBJECT, TEXT)
    assert sent.message_id and sent.message_id.endswith("@localhost>")

    queue_mail(jobs, message, key="reset:42:2")  # another key is another mail
    assert len(memory_mailer.sent) == 2
    assert memory_mailer.sent[1].message_id != sent.message_id


class RefusingMailer:
    def __init__(self, *, permanent: bool) -> None:
        self.permanent = permanent

    def send(self, message: Message) -> None:
        raise MailError("server said no", permanent=self.permanent)


def test_mail_job_retries_a_passing_failure_and_gives_up_on_a_permanent_one(app: Flask) -> None:
    jobs = current_jobs()
    message = Message(to="rahmat@palukota.go.id", subject="Uji", text="Uji")
    bind_mailer(app, RefusingMailer(permanent=False))
    job = queue_mail(jobs, message, key="passing")
    assert job.state == JobState.FAILED
    assert job.run_after > job.started_at  # type: ignore[operator]
    bind_mailer(app, RefusingMailer(permanent=True))
    job = queue_mail(jobs, message, key="permanent")
    assert job.state == JobState.DEAD
    assert "server said no" in job.error


def test_cli_sends_a_test_message(app: Flask, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    bind_mailer(app, SmtpMailer(mail_settings(port)))
    result = app.test_cli_runner().invoke(args=["mail", "test", "admin@palukota.go.id"])
    assert result.exit_code == 0, result.output
    assert "sent to admin@palukota.go.id" in result.output
    assert inbox.recipients == [["admin@palukota.go.id"]]
    assert inbox.messages[0]["Subject"] == "Uji surel eLearn ASN"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port held bound but not listening, so connecting to it is refused."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", free_port()))
        yield held.getsockname()[1]


def test_cli_reports_a_refused_connection(app: Flask, closed_port: int) -> None:
    bind_mailer(app, SmtpMailer(mail_settings(closed_port)))
    result = app.test_cli_runner().invoke(args=["mail", "test", "admin@palukota.go.id"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"Error: mail not sent: cannot send through 127.0.0.1:{closed_port}: "
        "[Errno 111] Connection refused"
    ]


class RejectingInbox(Inbox):
    async def handle_RCPT(  # noqa: N802
        self, server: object, session: object, envelope: object, address: str, options: list[str]
    ) -> str:
        return "550 5.1.1 no such mailbox"


def test_a_refused_recipient_is_a_permanent_failure() -> None:
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(RejectingInbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(MailError) as raised:
            SmtpMailer(mail_settings(port)).send(
                Message(to="x@palukota.go.id", subject="s", text="t")
            )
    finally:
        controller.stop()
    assert raised.value.permanent
    assert str(raised.value) == f"127.0.0.1:{port} refused x@palukota.go.id"


class BusyInbox(Inbox):
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        return "451 4.3.0 try again later"


def test_a_temporary_refusal_is_worth_retrying() -> None:
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(BusyInbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(MailError) as raised:
            SmtpMailer(mail_settings(port)).send(
                Message(to="x@palukota.go.id", subject="s", text="t")
            )
    finally:
        controller.stop()
    assert not raised.value.permanent
    assert str(raised.value) == f"127.0.0.1:{port} answered 451 4.3.0 try again later"


def test_the_log_mailer_names_recipient_and_subject_but_never_the_body(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="elearn.mail.log_mailer"):
        LogMailer().send(
            Message(to="andi@palukota.go.id", subject=SUBJECT, text="tautan: /reset/rahasia-123")
        )
    assert "andi@palukota.go.id" in caplog.text
    assert SUBJECT in caplog.text
    assert "rahasia-123" not in caplog.text


def test_mail_job_through_smtp_delivers_once(app: Flask, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    bind_mailer(app, SmtpMailer(mail_settings(port)))
    jobs = current_jobs()
    message = Message(to="hasan.basri@mamujukab.go.id", subject=SUBJECT, text=TEXT)
    job = queue_mail(jobs, message, key="certificate:7")
    queue_mail(jobs, message, key="certificate:7")
    jobs.run(job.id)
    assert job.state == JobState.DONE
    assert inbox.recipients == [["hasan.basri@mamujukab.go.id"]]
    assert inbox.messages[0]["Subject"] == SUBJECT
    assert inbox.messages[0]["Message-ID"].endswith("@localhost>")


def test_smtp_mailer_logs_in_and_a_rejected_login_is_permanent() -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[bytes, bytes]] = []

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"rahasia", handled=False)

    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,  # the test server has no certificate; production uses TLS
    )
    controller.start()
    try:
        settings = dataclasses.replace(mail_settings(port), username="elearn", password="rahasia")
        SmtpMailer(settings).send(Message(to="a@palukota.go.id", subject="s", text="t"))
        wrong = dataclasses.replace(settings, password="salah")
        with pytest.raises(MailError) as raised:
            SmtpMailer(wrong).send(Message(to="a@palukota.go.id", subject="s", text="t"))
    finally:
        controller.stop()
    assert logins[0] == (b"elearn", b"rahasia")
    assert set(logins[1:]) == {(b"elearn", b"salah")}  # smtplib tries each offered mechanism
    assert inbox.recipients == [["a@palukota.go.id"]]
    assert raised.value.permanent
    assert str(raised.value).startswith(f"127.0.0.1:{port} answered 535")
