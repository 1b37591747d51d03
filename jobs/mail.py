"""Mail for notices: the message, and one SMTP connection per batch (or .eml files).

What the server answers becomes a Delivery: accepted (2xx), temporary (4xx, refused,
timed out, disconnected before the whole message and its final dot were written),
permanent (5xx, a bad address), or unknown (the connection broke after the whole message
was written: the server may have taken it, so it is never sent again on its own).
"""

import functools
import logging
import os
import smtplib
import ssl
from email.header import Header
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from models import clock
from models.notices import Delivery

log = logging.getLogger(__name__)


class ShortHeadersAsTheyAre(Compat32):
    """The classic policy, except that a header already fit to send (ASCII, one line that
    fits) is written as it is: compat32 runs every header through Header.encode, which was
    half the time of making a notice's bytes. The bytes come out the same."""

    def fold(self, name, value):
        if self._fits(name, value):
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if self._fits(name, value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)

    def _fits(self, name, value):
        return (
            isinstance(value, str)
            and value.isascii()
            and "\r" not in value
            and "\n" not in value
            and len(name) + 2 + len(value) <= (self.max_line_length or 78)
        )


SHORT_HEADERS_AS_THEY_ARE = ShortHeadersAsTheyAre()


def build_message(notice, sender):
    """The email of a notice; its Message-ID is the notice's own, the same on every attempt.

    Built with the classic (compat32) API and encoded headers: EmailMessage's header
    registry took half the time of sending a notice to a server on the same machine.
    """
    for text in (notice.subject, notice.recipient_name or "", sender):
        if "\n" in text or "\r" in text:
            raise ValueError(f"a line break in a header: {text!r}")
    message = MIMEText(notice.body, "plain", "utf-8", policy=SHORT_HEADERS_AS_THEY_ARE)
    message["Subject"] = Header(notice.subject, "utf-8")
    message["From"] = from_header(sender)
    message["To"] = formataddr((notice.recipient_name, notice.recipient_email), "utf-8")
    message["Date"] = format_datetime(clock.local(clock.now()))
    message["Message-ID"] = notice.message_id
    message["X-Ducha-Notice"] = notice.dedupe_key
    return message


@functools.cache
def from_header(sender):
    """The From header of `sender` ("name <address>"), encoded; the same for every notice."""
    return formataddr(parseaddr(sender), "utf-8")


@functools.lru_cache(maxsize=4096)  # a batch writes to the same few hundred people
def address_problem(address):
    """Why `address` cannot receive mail, or None."""
    try:
        validate_email(address or "", check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        return f"bad address {address!r}: {error}"
    return None


def reply(code, text):
    """A Delivery from an SMTP reply code: 4xx temporary, 5xx permanent."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    status = "permanent" if 500 <= code < 600 else "temporary"
    return Delivery(status, f"{code} {text}".strip())


def describe(error):
    return f"{type(error).__name__}: {error}"


class _SMTP(smtplib.SMTP):
    """smtplib.SMTP that remembers whether a message was written whole, final dot included:
    only then may the server have taken it."""

    body_sent = False
    _in_data = False

    def data(self, msg):
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s):
        super().send(s)
        # In DATA smtplib writes the command (text), then the payload and its final dot in
        # one call (bytes); a connection lost during that call raised above.
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.body_sent = True


class Mailer:
    """Delivers a batch of messages over one SMTP connection, opened when first needed.

    Without MAIL_SERVER, writes each message to MAIL_OUTBOX_DIR as an .eml file instead.
    A server that cannot be reached is tried once per batch; `lost` tells a connection
    lost while sending (dropped, reset, timed out), after which the batch should stop.
    """

    def __init__(self, config):
        self.server = config.get("MAIL_SERVER")
        self.port = config.get("MAIL_PORT", 25)
        self.use_tls = config.get("MAIL_USE_TLS", False)
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = config.get("MAIL_TIMEOUT", 30)
        self.sender = config["MAIL_DEFAULT_SENDER"]
        self.envelope_sender = parseaddr(self.sender)[1]
        self.outbox_dir = Path(config["MAIL_OUTBOX_DIR"])
        self.smtp = None
        self.unreachable = None  # why the server could not be reached, for the whole batch
        self.lost = False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def deliver(self, message, name, recipient):
        """Send `message` to `recipient` (or write it to `name`.eml); returns a Delivery."""
        if not self.server:
            return Delivery("accepted", self._write_file(message, name))
        if self.unreachable:
            return Delivery("temporary", self.unreachable)
        try:
            smtp = self._connection()
        except OSError as error:  # refused, timed out, TLS or login refused
            self.unreachable = describe(error)
            log.warning("SMTP server %s:%s unreachable: %s", self.server, self.port, error)
            return Delivery("temporary", self.unreachable)
        return self._send(smtp, message, recipient)

    def _send(self, smtp, message, recipient):
        smtp.body_sent = False
        try:
            # The envelope given, not parsed back out of the headers just written.
            smtp.send_message(message, self.envelope_sender, [recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            return self._after_reply(smtp, reply(code, text))
        except smtplib.SMTPResponseException as error:
            return self._after_reply(smtp, reply(error.smtp_code, error.smtp_error))
        except OSError as error:  # disconnected, timed out, reset
            self._drop()
            self.lost = True
            if smtp.body_sent:
                return Delivery("unknown", f"connection lost while sending: {describe(error)}")
            return Delivery("temporary", describe(error))
        return Delivery("accepted")

    def _after_reply(self, smtp, delivery):
        if smtp.sock is None:  # smtplib closes the connection on some replies (421)
            self._drop()
        return delivery

    def _connection(self):
        if self.smtp is None:
            smtp = _SMTP(self.server, self.port, timeout=self.timeout)
            try:
                if self.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
            except BaseException:
                smtp.close()
                raise
            self.smtp = smtp
        return self.smtp

    def _drop(self):
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def close(self):
        """Say goodbye to the server; a connection already broken is just closed."""
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except OSError as error:
            log.info("SMTP connection closed without QUIT: %s", error)
        finally:
            self._drop()

    def _write_file(self, message, name):
        """Write the message as an .eml file, whole or not at all; returns its path."""
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        path = self.outbox_dir / f"{name}.eml"
        partial = path.with_suffix(".partial")
        partial.write_bytes(message.as_bytes())
        os.replace(partial, path)
        return str(path)
