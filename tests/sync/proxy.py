"""A small TCP proxy between the sync tests' clients and the real PostgreSQL server.

The fault tests put it between branch replicas (and connected clients) and
``127.0.0.1:5432`` and break the line on purpose, as a real branch office's
line breaks:

* :meth:`PgProxy.cut` closes every open connection now;
* :meth:`PgProxy.partition` refuses new connections (accepts and closes them
  at once) and cuts the open ones, until :meth:`PgProxy.heal`;
* :meth:`PgProxy.stall` holds every byte in both directions until
  :meth:`PgProxy.release` (a line that hangs, not one that fails);
* :meth:`PgProxy.set_delay` waits before forwarding each chunk (a slow line);
* :meth:`PgProxy.lose_ack` makes the next ``COMMIT`` reach the server while
  the client never hears the reply: the client's side is closed before the
  COMMIT is forwarded, and the server's side is closed once the server has
  answered (so the transaction did commit). psycopg sends ``COMMIT`` as a
  simple Query message (``'Q'``, text ``COMMIT``); the proxy reads the
  client's stream message by message to find it, and only cuts the commit of
  a transaction whose statements contained ``when`` (e.g. ``b"INSERT"``).

Threads, one listener and two pumps per connection; everything runs in the
test's process and stops with :meth:`PgProxy.close`.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

#: Untyped first messages of the PostgreSQL protocol (no type byte).
_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104
_CANCEL_REQUEST = 80877102
_TICK = 0.05


class _ClientStream:
    """Splits a client's byte stream into protocol messages (type byte, body)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.started = False
        #: After an SSL or GSS answer 'S'/'G' the stream is encrypted: stop reading it.
        self.opaque = False

    def feed(self, data: bytes) -> list[tuple[bytes, bytes]]:
        if self.opaque:
            return []
        self.buffer += data
        messages: list[tuple[bytes, bytes]] = []
        while True:
            if not self.started:
                if len(self.buffer) < 4:
                    return messages
                (length,) = struct.unpack("!I", self.buffer[:4])
                if len(self.buffer) < length:
                    return messages
                body = bytes(self.buffer[4:length])
                del self.buffer[:length]
                code = struct.unpack("!I", body[:4])[0] if len(body) >= 4 else 0
                if code not in (_SSL_REQUEST, _GSSENC_REQUEST, _CANCEL_REQUEST):
                    self.started = True  # the startup message
                messages.append((b"", body))
                continue
            if len(self.buffer) < 5:
                return messages
            kind = bytes(self.buffer[:1])
            (length,) = struct.unpack("!I", self.buffer[1:5])
            if len(self.buffer) < 1 + length:
                return messages
            body = bytes(self.buffer[5 : 1 + length])
            del self.buffer[: 1 + length]
            messages.append((kind, body))


def _statement(kind: bytes, body: bytes) -> bytes | None:
    """The SQL text of a Query ('Q') or Parse ('P') message, else ``None``."""
    if kind == b"Q":
        return body.rstrip(b"\0")
    if kind == b"P":
        name_end = body.find(b"\0")
        query_end = body.find(b"\0", name_end + 1)
        return body[name_end + 1 : query_end]
    return None


def _ends_transaction(statement: bytes) -> str | None:
    word = statement.strip().rstrip(b";").strip().upper()
    if word in (b"COMMIT", b"END", b"COMMIT TRANSACTION", b"COMMIT WORK"):
        return "commit"
    if word.startswith(b"ROLLBACK") or word == b"ABORT":
        return "rollback"
    return None


@dataclass(eq=False)
class _Connection:
    client: socket.socket
    server: socket.socket
    stream: _ClientStream = field(default_factory=_ClientStream)
    #: The statements of the transaction running on this connection.
    statements: bytearray = field(default_factory=bytearray)
    #: Drop the server's reply to a COMMIT and close: a lost acknowledgement.
    drop_reply: threading.Event = field(default_factory=threading.Event)
    closed: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


class PgProxy:
    """A proxy on ``127.0.0.1:port`` to ``upstream``, controlled by the test."""

    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.upstream = upstream
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self._listener.settimeout(_TICK)
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._connections: set[_Connection] = set()
        self._stopping = threading.Event()
        self._partitioned = threading.Event()
        self._stalled = threading.Event()
        self._delay = 0.0
        self._lose_acks = 0
        self._lose_when = b""
        #: Figures the tests read: connections accepted, refused, acknowledgements lost.
        self.accepted = 0
        self.refused = 0
        self.lost_acks = 0
        self.commits_seen = 0
        self._thread = threading.Thread(target=self._accept, name="pg-proxy", daemon=True)
        self._thread.start()

    # --- control ---------------------------------------------------------------------

    def cut(self) -> None:
        """Close every open connection now (both sides)."""
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            conn.close()

    def partition(self) -> None:
        """Refuse new connections and cut the open ones, until :meth:`heal`."""
        self._partitioned.set()
        self.cut()

    def heal(self) -> None:
        """Accept connections again, forward without stall or delay."""
        self._partitioned.clear()
        self._stalled.clear()
        self._delay = 0.0

    @property
    def partitioned(self) -> bool:
        return self._partitioned.is_set()

    def stall(self) -> None:
        """Hold every byte in both directions until :meth:`release` (or :meth:`heal`)."""
        self._stalled.set()

    def release(self) -> None:
        self._stalled.clear()

    def set_delay(self, seconds: float) -> None:
        """Wait ``seconds`` before forwarding each chunk, in both directions."""
        self._delay = seconds

    def lose_ack(self, count: int = 1, when: bytes = b"") -> None:
        """Let the next ``count`` COMMITs (of transactions containing ``when``) go unanswered."""
        with self._lock:
            self._lose_acks = count
            self._lose_when = when.upper()

    @property
    def pending_lost_acks(self) -> int:
        with self._lock:
            return self._lose_acks

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._connections)

    def close(self) -> None:
        self._stopping.set()
        self.heal()
        self._thread.join(timeout=2)
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut()

    def url(self, server_url: str, login: str | None = None) -> str:
        """``server_url`` going through the proxy (as ``login`` when given, no password)."""
        from sqlalchemy.engine import make_url

        url = make_url(server_url).set(host="127.0.0.1", port=self.port)
        if login is not None:
            url = url.set(username=login, password=None)
        return url.render_as_string(hide_password=False)

    # --- the proxy -----------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._partitioned.is_set():
                self.refused += 1
                with contextlib.suppress(OSError):
                    client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.settimeout(_TICK)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(client, server)
            with self._lock:
                self._connections.add(conn)
                self.accepted += 1
            threading.Thread(target=self._upstream, args=(conn,), daemon=True).start()
            threading.Thread(target=self._downstream, args=(conn,), daemon=True).start()

    def _wait_while_stalled(self, conn: _Connection) -> bool:
        while self._stalled.is_set():
            if conn.closed.is_set() or self._stopping.is_set():
                return False
            time.sleep(_TICK / 5)
        if self._delay:
            time.sleep(self._delay)
        return not conn.closed.is_set()

    def _recv(self, conn: _Connection, sock: socket.socket) -> bytes | None:
        """The next chunk from ``sock``; ``None`` when the connection is over."""
        while not conn.closed.is_set():
            if self._stalled.is_set():
                time.sleep(_TICK / 5)  # leave the bytes in the kernel's buffers
                continue
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return None
            return data or None
        return None

    def _finish(self, conn: _Connection) -> None:
        conn.close()
        with self._lock:
            self._connections.discard(conn)

    def _upstream(self, conn: _Connection) -> None:
        """Client to server, watching for the COMMIT whose answer is to be lost."""
        try:
            while True:
                data = self._recv(conn, conn.client)
                if data is None or not self._wait_while_stalled(conn):
                    return
                lose = self._commit_to_lose(conn, data)
                if lose:
                    conn.drop_reply.set()
                    with contextlib.suppress(OSError):  # the client hears nothing more
                        conn.client.shutdown(socket.SHUT_RDWR)
                        conn.client.close()
                try:
                    conn.server.sendall(data)
                except OSError:
                    return
                if lose:
                    return  # the downstream pump closes the server side after its answer
        finally:
            if not conn.drop_reply.is_set():
                self._finish(conn)

    def _commit_to_lose(self, conn: _Connection, data: bytes) -> bool:
        lose = False
        for kind, body in conn.stream.feed(data):
            statement = _statement(kind, body)
            if statement is None:
                continue
            end = _ends_transaction(statement)
            if end is None:
                conn.statements += statement.upper() + b"\n"
                continue
            if end == "commit":
                with self._lock:
                    self.commits_seen += 1
                    if self._lose_acks > 0 and self._lose_when in conn.statements:
                        self._lose_acks -= 1
                        self.lost_acks += 1
                        lose = True
            conn.statements.clear()
        return lose

    def _downstream(self, conn: _Connection) -> None:
        """Server to client; after a lost acknowledgement, wait for the answer and close."""
        try:
            first = True
            while True:
                if conn.drop_reply.is_set():
                    self._await_answer(conn)
                    return
                data = self._recv(conn, conn.server)
                if data is None:
                    return
                if first and data[:1] in (b"S", b"G") and len(data) == 1:
                    conn.stream.opaque = True  # TLS or GSS: nothing to read in the stream
                first = False
                if conn.drop_reply.is_set():  # the answer to the lost COMMIT: never delivered
                    if b"Z\x00\x00\x00\x05" not in data:
                        self._await_answer(conn)
                    return
                if not self._wait_while_stalled(conn):
                    return
                try:
                    conn.client.sendall(data)
                except OSError:
                    return
        finally:
            self._finish(conn)

    def _await_answer(self, conn: _Connection) -> None:
        """Read the server's answer to the COMMIT (proof it committed), up to 10 s."""
        deadline = time.monotonic() + 10
        seen = b""
        while time.monotonic() < deadline:
            try:
                data = conn.server.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            seen += data
            if b"Z\x00\x00\x00\x05" in seen:  # ReadyForQuery after CommandComplete
                return
