"""The HTTP connections `mkgraph serve` accepts: each request must arrive whole within a deadline,
and the number of open connections is capped by closing idle ones first.

uvicorn (with h11) bounds the wait between requests on a kept-alive connection, but not the time
a client takes to send a request: a connection that never sends a byte, or drips a header line a
second, stays open for ever, and uvicorn's only connection limit answers every real client with
503 once enough of them are open. This protocol starts a clock when a connection opens, and again
when the first byte of each later request arrives; it stops once the request (headers and body) is
complete. If the clock runs out first, the client gets 408 (when it had begun a request) and the
connection is closed. Requests are never refused for the number of connections: past the cap, the
connection idle the longest (no request in progress) is closed instead (the server's admission queue
bounds the requests themselves).
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

_WAITING_FOR_CLIENT = (h11.IDLE, h11.SEND_BODY)  # the client still owes part of a request


def _timeout_response(seconds: float) -> bytes:
    body = f"the request did not arrive within this server's limit of {seconds:g} s\n".encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        "connection: close\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a whole-request deadline and idle-first connection shedding."""

    request_timeout = 10.0
    max_connections = 512

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._clock: asyncio.TimerHandle | None = None
        self._begun = False  # a byte of the current request has arrived
        self._active = self.loop.time()  # when it last sent or was sent something
        if len(self.connections) > self.max_connections:
            self._close_an_idle_connection()
        if not transport.is_closing():
            self._start_clock()

    def data_received(self, data: bytes) -> None:
        self._begun, self._active = True, self.loop.time()
        super().data_received(data)
        if self.conn.their_state in _WAITING_FOR_CLIENT:
            if self._clock is None and not self.transport.is_closing():
                self._start_clock()
        else:
            self._stop_clock()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._active = self.loop.time()
        if self.conn.their_state is h11.IDLE and not self.conn.trailing_data[0]:
            self._stop_clock()  # nothing of a next request yet: the keep-alive timeout rules
            self._begun = False
        elif (
            self.conn.their_state in _WAITING_FOR_CLIENT  # a pipelined request, begun
            and self._clock is None
            and not self.transport.is_closing()
        ):
            self._start_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def _start_clock(self) -> None:
        self._clock = self.loop.call_later(self.request_timeout, self._out_of_time)

    def _stop_clock(self) -> None:
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None

    def _out_of_time(self) -> None:
        self._clock = None
        if self.transport.is_closing() or self.conn.their_state not in _WAITING_FOR_CLIENT:
            return
        if self._begun and (self.cycle is None or not self.cycle.response_started):
            self.transport.write(_timeout_response(self.request_timeout))
        self.transport.close()

    def _idle(self) -> bool:
        """No request in progress: nothing received, or the last response sent and no new byte."""
        return not getattr(self, "_begun", True) and (
            self.cycle is None or self.cycle.response_complete
        )

    def _close_an_idle_connection(self) -> None:
        idle = [c for c in self.connections if isinstance(c, DeadlineH11Protocol) and c._idle()]
        victim = min(idle, key=lambda c: c._active) if idle else self
        victim.transport.close()


def protocol(request_timeout: float, max_connections: int) -> type[DeadlineH11Protocol]:
    """The protocol class for uvicorn's `http` setting, with these limits."""
    return type(
        "DeadlineH11Protocol",
        (DeadlineH11Protocol,),
        {"request_timeout": request_timeout, "max_connections": max_connections},
    )
