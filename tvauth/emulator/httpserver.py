"""Sockets: a threaded HTTP/1.1 keep-alive server that hands parsed requests to the App.

Built on the standard library so the emulator adds no dependency. One thread per connection (daemon),
Nagle off, whole replies written in one call. It must survive clients that send garbage, stop halfway
or vanish: every such case ends in a closed connection, never a traceback on stderr.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import struct
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tvauth.emulator.app import App, Reply, Request

__all__ = ["EmulatorServer"]

_MAX_BODY = 1 << 20
_IDLE_TIMEOUT = 120.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = _IDLE_TIMEOUT
    server_version = "ZohoAccountsEmulator"
    sys_version = ""
    server: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: the App keeps a structured log, and stderr stays clean."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Unparseable requests get a short JSON error with a real status line, then a close.

        The standard library would answer a garbled request line HTTP/0.9-style (no status line).
        """
        self.close_connection = True
        body = json.dumps({"error": "invalid_request", "error_description": message or ""})
        with contextlib.suppress(OSError):
            self._write(Reply(code, body.encode()))

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self.close_connection = True
        self._write(Reply(405, b""), head_only=True)

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering/closing a request the server cannot read."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._write(Reply(411, b'{"error":"invalid_request"}'))
            return None
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0 or length > _MAX_BODY:
            self.close_connection = True
            status = 413 if length > _MAX_BODY else 400
            self._write(Reply(status, b'{"error":"invalid_request"}'))
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client went away mid-body
            self.close_connection = True
            return None
        return body

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        try:
            request = Request(self.command, self.path, self.headers, body)
            reply = self.server.app.handle(request, self.server.location)
        except Exception:  # a bug must cost one answer, not the connection thread's traceback
            self.server.bugs += 1
            reply = Reply(500, b'{"error":"server_error"}')
        if reply.delay > 0 and self.server.stopping.wait(reply.delay):
            self.close_connection = True
            return
        if reply.action == "send":
            self._write(reply)
            return
        self.close_connection = True
        if reply.action == "reset":
            self.server.reset_on_close(self.connection)
        elif reply.action == "hang":
            self._hang()

    def _hang(self) -> None:
        """Answer nothing until the client gives up (closes) or the server stops."""
        conn = self.connection
        while not self.server.stopping.is_set():
            readable, _, _ = select.select([conn], [], [], 0.2)
            if readable:
                try:
                    if not conn.recv(1, socket.MSG_PEEK):
                        return
                except OSError:
                    return
                self.server.stopping.wait(0.2)

    def _write(self, reply: Reply, head_only: bool = False) -> None:
        try:
            reason = HTTPStatus(reply.status).phrase
        except ValueError:
            reason = "Status"
        lines = [
            f"HTTP/1.1 {reply.status} {reason}",
            f"Server: {self.server_version}",
            # Zoho sends one; clients compare it with their own clock (a Pi may think it is 1970).
            f"Date: {formatdate(self.server.app.wall_time(), usegmt=True)}",
            f"Content-Type: {reply.content_type}",
            f"Content-Length: {len(reply.body)}",
            *(f"{name}: {value}" for name, value in reply.headers),
        ]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if head_only else head + reply.body)


class EmulatorServer(ThreadingHTTPServer):
    """The listening socket and its connection threads; :meth:`stop` closes every connection."""

    daemon_threads = True
    request_queue_size = 2048
    allow_reuse_address = True

    def __init__(self, host: str, port: int, app: App, location: str | None = None) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.app = app
        self.location = location  # the data center this port serves alone, if any
        self.stopping = threading.Event()
        self.errors = 0  # connections that died (reset, broken pipe, timeout)
        self.bugs = 0  # exceptions inside the App: always a bug to fix
        self._connections: set[socket.socket] = set()
        self._reset: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self._connections.discard(request)
            reset = request in self._reset
            self._reset.discard(request)
        if reset:  # close at once with linger 0: the peer gets RST, not FIN
            with contextlib.suppress(OSError):
                request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.close()
            return
        super().shutdown_request(request)

    def reset_on_close(self, request: socket.socket) -> None:
        """Make this connection end with a TCP reset (the ``reset`` fault)."""
        with self._conn_lock:
            self._reset.add(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection died (reset, broken pipe, timeout): count it, print nothing."""
        self.errors += 1

    def close_connections(self) -> None:
        """Wake every connection thread (idle keep-alive, hanging faults) so it ends now."""
        self.stopping.set()
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
