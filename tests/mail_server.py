"""A real SMTP server for tests (aiosmtpd on a loopback port) that does what the test says:
accept, answer 451 or 550, hold a message in flight, drop the connection in DATA, or be
down (not started)."""

import asyncio
import email
import email.policy
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.servers import free_port

MAIL_PORTS = range(5062, 5200)


class Handler:
    """Answers each message by `mode`: "accept", "tempfail" (451) or "reject" (550).

    With `hold_after = n`, the message after the first n accepted is received but not
    answered until `release` is set (or `hold_seconds` pass): a message in flight.
    With `drop` set, the server resets the connection in DATA (see DroppingSMTP).
    """

    def __init__(self):
        self.mode = "accept"
        self.sessions = 0  # SMTP conversations (EHLO) seen: one per connection
        self.received = []  # every message whose content the server took, as parsed
        self.answered = []  # (Message-ID, reply code) of every DATA answered
        self.delay = 0  # seconds to take over each message
        self.hold_after = None
        self.hold_seconds = 10
        self.holding = threading.Event()
        self.release = threading.Event()
        self.drop = None
        self.dropped = 0  # connections reset in DATA

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message_id = message["Message-ID"]
        if self.mode == "tempfail":
            self.answered.append((message_id, 451))
            return "451 4.3.0 Mailbox busy, try again later"
        if self.mode == "reject":
            self.answered.append((message_id, 550))
            return "550 5.1.1 Mailbox unavailable: no such user"
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(message)
        if self.hold_after is not None and len(self.received) > self.hold_after:
            self.holding.set()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self.release.wait, self.hold_seconds)
        self.answered.append((message_id, 250))
        return "250 2.0.0 Accepted"


class DroppingSMTP(SMTP):
    """aiosmtpd's SMTP, which resets the connection in DATA when its handler's `drop` is
    "at_data" (on the command) or "in_message" (after 354 and the first 64 KiB)."""

    async def smtp_DATA(self, arg):
        drop = self.event_handler.drop
        if drop is None:
            return await super().smtp_DATA(arg)
        if drop == "in_message":
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readexactly(64 * 1024)  # aiosmtpd's reader of the connection
        self.event_handler.dropped += 1
        self.transport.abort()  # a reset: what the client wrote and we did not read is lost


class DroppingController(Controller):
    def factory(self):
        return DroppingSMTP(self.handler, **self.SMTP_kwargs)


class MailServer:
    """An SMTP server on 127.0.0.1:`port`; down until `start()`."""

    def __init__(self):
        self.port = free_port(MAIL_PORTS)
        self.handler = Handler()
        self.controller = None

    @property
    def settings(self):
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5}

    @property
    def received_ids(self):
        return [m["Message-ID"] for m in self.handler.received]

    def start(self):
        self.controller = DroppingController(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        self.handler.release.set()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
