"""A mail server for tests: takes SMTP on a loopback port and keeps what it receives.

It speaks just enough SMTP for ``smtplib`` (no TLS, no login). ``drop_on`` names messages,
counted from 1 over the server's life, on which it closes the connection when the client
starts sending them, as a server that breaks in the middle of a run does.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import cast


class MailServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, drop_on: set[int] | None = None,
                 on_message: Callable[[EmailMessage], None] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.drop_on = drop_on or set()
        self.on_message = on_message
        self.messages: list[EmailMessage] = []
        self.connections = 0
        self.started = 0  # messages whose sending began, delivered or not
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def recipients(self) -> list[str]:
        return [str(message["To"]) for message in self.messages]


class _Session(socketserver.StreamRequestHandler):
    server: MailServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
        self.reply("220 localhost test mail server")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                with self.server.lock:
                    self.server.started += 1
                    drop = self.server.started in self.server.drop_on
                if drop:
                    return  # closing the connection is what a crashed server does
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.receive()
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def receive(self) -> None:
        lines = []
        while True:
            line = self.rfile.readline()
            if line in (b".\r\n", b".\n", b""):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        message = cast(EmailMessage, message_from_bytes(b"".join(lines), policy=policy.default))
        with self.server.lock:
            self.server.messages.append(message)
        if self.server.on_message is not None:
            self.server.on_message(message)


@contextmanager
def mail_server(drop_on: set[int] | None = None,
                on_message: Callable[[EmailMessage], None] | None = None
                ) -> Iterator[MailServer]:
    """A running mail server, stopped at the end of the block."""
    server = MailServer(drop_on, on_message)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
