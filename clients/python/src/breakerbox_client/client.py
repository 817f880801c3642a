"""The blocking client: one keep-alive HTTP/1.1 connection (``http.client``), reopened when the
sidecar closes it; the event stream on a connection of its own."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from typing import Callable, Iterator, Sequence, TypeVar
from urllib.parse import urlsplit

from . import _wire as wire
from ._sse import SILENCE_SECONDS, FrameParser, Resumption
from .errors import ApiError, BreakerboxError, SidecarUnreachable, ValidationError
from .models import (
    Decision,
    DecimalLike,
    Disconnected,
    HaltResult,
    History,
    Instant,
    Order,
    Position,
    ResetConfirmation,
    ResetRequest,
    RiskEvent,
    Side,
    Status,
    StrategySummary,
    StreamItem,
)

T = TypeVar("T")

# Closed by the peer before any answer on a connection used before: the sidecar dropped an idle
# keep-alive connection, so the request never reached it and is sent again once on a new one.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, http.client.CannotSendRequest)


class Target:
    """Where the sidecar is: scheme, host, port and the Host header."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(f"url: must be http(s)://host:port (got {url!r})", code="VALIDATION", field="url")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.netloc = parts.netloc.rsplit("@", 1)[-1]


def backoff(attempt: int, base: float) -> float:
    """Seconds to wait before reconnect attempt ``attempt`` (1, 2, ...): doubling, at most 2 s."""
    return float(min(base * (2 ** (attempt - 1)), 2.0))


class Client:
    """A breakerbox sidecar's API, blocking. Thread-safe (calls are serialised on one connection).

    Every method raises :class:`SidecarUnreachable` when the sidecar cannot be reached and a
    typed :class:`ApiError` when it refuses; none ever reads a failure as "allowed".
    Modify and cancel checks and overrides are not in the sidecar's API yet; they come with it.
    """

    def __init__(self, url: str, token: str, *, timeout: float = 5.0) -> None:
        self._target = Target(url)
        self._token = token
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._used = False
        self._lock = threading.Lock()

    # ---- transport -------------------------------------------------------------------------

    def _connect(self) -> http.client.HTTPConnection:
        t = self._target
        conn: http.client.HTTPConnection = (http.client.HTTPSConnection if t.https else http.client.HTTPConnection)(t.host, t.port, timeout=self._timeout)
        conn.connect()
        if conn.sock is not None:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn, self._used = None, False

    def _send(self, call: wire.Call[T]) -> T:
        body = call.payload()
        headers = dict(wire.headers(self._target.netloc, self._token, call.auth, body))
        with self._lock:
            for attempt in (1, 2):
                reused = self._conn is not None and self._used
                try:
                    if self._conn is None:
                        self._conn = self._connect()
                    self._conn.request(call.method, call.path, body=body, headers=headers)
                    self._used = True
                    resp = self._conn.getresponse()
                    data = resp.read()
                    if resp.will_close:
                        self._drop()
                except _STALE as error:
                    self._drop()
                    if reused and attempt == 1:
                        continue
                    raise SidecarUnreachable(f"the sidecar at {self._target.netloc} closed the connection: {error!r}") from error
                except (OSError, http.client.HTTPException) as error:
                    self._drop()
                    raise SidecarUnreachable(f"cannot reach the sidecar at {self._target.netloc}: {error!r}") from error
                return call.read(wire.read_answer(resp.status, data))
        raise SidecarUnreachable(f"cannot reach the sidecar at {self._target.netloc}")

    def _ingest(self, strategy: str, build: Callable[[], wire.Call[T]]) -> T:
        """Sends a data report (portfolio, fill); a value refused here (a float, a bool) is
        counted on the sidecar as a ``data_error``, as the sidecar counts a value it refuses
        itself (nothing else is applied), then raised."""
        try:
            call = build()
        except ValidationError as refused:
            try:
                self._send(wire.error(strategy, "data_error", wire.refusal_report(refused)))
            except BreakerboxError:
                pass
            raise
        return self._send(call)

    def close(self) -> None:
        with self._lock:
            self._drop()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the API ---------------------------------------------------------------------------

    def strategies(self) -> list[StrategySummary]:
        """The strategies the sidecar hosts."""
        return self._send(wire.strategies())

    def status(self, strategy: str) -> Status:
        """The strategy's status: global state, each breaker, figures, portfolio."""
        return self._send(wire.status(strategy))

    def check(self, strategy: str, order: Order) -> Decision:
        """The pre-trade decision for ``order`` (journalled by the sidecar). A malformed order
        raises :class:`ValidationError` naming the field: judged by the sidecar (journalled as a
        refused order), or, for a float or a bool where a decimal belongs, refused here and not
        sent (an order is not data: it is not counted as a ``data_error``, as on the sidecar)."""
        return self._send(wire.check(strategy, order))

    def check_modify(self, strategy: str, order_id: str, *, quantity: DecimalLike | None = None, price: DecimalLike | None = None) -> Decision:
        """The decision for a modification of the open order ``order_id`` (its new open quantity,
        its new limit price, or both): counted by the message-rate breaker, then decided like a
        submission against that order (docs/api.md, "Modifications and cancellations"). A
        malformed one raises :class:`ValidationError` naming the field."""
        return self._send(wire.check_modify(strategy, order_id, quantity, price))

    def check_cancel(self, strategy: str, order_id: str) -> Decision:
        """The decision for a cancellation of ``order_id``: always allowed when well formed
        (whatever any breaker's state), and counted by the message-rate breaker. It does not
        release the order: call :meth:`order_closed` once the broker confirms."""
        return self._send(wire.check_cancel(strategy, order_id))

    def update_portfolio(
        self,
        strategy: str,
        value: DecimalLike,
        *,
        positions: Sequence[Position] | None = None,
        cash: DecimalLike | None = None,
        timestamp: Instant | None = None,
        as_of: Instant | None = None,
    ) -> None:
        """Reports the portfolio's value (and positions, cash; ``as_of``: when the positions were true)."""
        self._ingest(strategy, lambda: wire.portfolio(strategy, value, positions, cash, timestamp, as_of))

    def record_fill(
        self,
        strategy: str,
        symbol: str,
        side: Side,
        quantity: DecimalLike,
        price: DecimalLike,
        *,
        order_id: str | None = None,
        realized_pnl: DecimalLike | None = None,
        timestamp: Instant | None = None,
    ) -> None:
        """Reports an execution (``realized_pnl``: the profit or loss it realised, for the trade-losses breaker; ``timestamp``: when it executed)."""
        self._ingest(strategy, lambda: wire.fill(strategy, symbol, side, quantity, price, order_id, realized_pnl, timestamp))

    def record_error(self, strategy: str, kind: str, message: str) -> None:
        """Reports an error (``order_rejected``, ``broker_error``, ``data_error``, ``cancel_failed``)."""
        self._send(wire.error(strategy, kind, message))

    def order_closed(self, strategy: str, order_id: str) -> bool:
        """The order given to ``check`` is done (filled, cancelled, rejected): its open-order count is released."""
        return self._send(wire.order_closed(strategy, order_id))

    def halt(self, strategy: str, operator: str, reason: str, *, mode: str | None = None) -> HaltResult:
        """Halts the strategy (``mode='reduceOnly'`` lets risk-reducing orders pass)."""
        return self._send(wire.halt(strategy, operator, reason, mode))

    def request_reset(self, strategy: str, operator: str, breaker: str) -> ResetRequest:
        """Asks to reset a breaker; confirm with the returned token."""
        return self._send(wire.request_reset(strategy, operator, breaker))

    def confirm_reset(self, strategy: str, operator: str, token: str) -> ResetConfirmation:
        """Confirms a reset (the breaker's re-check decides)."""
        return self._send(wire.confirm_reset(strategy, operator, token))

    def journal(
        self,
        strategy: str,
        *,
        since: Instant | None = None,
        until: Instant | None = None,
        limit: int | None = None,
        types: Sequence[str] | None = None,
        newest_first: bool = False,
    ) -> list[RiskEvent]:
        """The audit journal, oldest first (``newest_first``: newest first)."""
        return self._send(wire.journal(strategy, since, until, limit, types, newest_first))

    def history(self, strategy: str, *, since: Instant | None = None) -> History:
        """The recent history for charts."""
        return self._send(wire.history(strategy, since))

    def guard(self, strategy: str, submit: Callable[[Order], T]) -> Callable[[Order], T | Decision]:
        """Wraps the broker's ``submit``: it is called only when the sidecar allows the order;
        otherwise the refusing :class:`Decision` is returned. When the sidecar cannot be reached,
        :class:`SidecarUnreachable` is raised and nothing is submitted (fail closed)."""

        def guarded(order: Order) -> T | Decision:
            decision = self.check(strategy, order)
            if decision.allowed is not True:
                return decision
            return submit(order)

        return guarded

    def events(self, strategy: str, *, retry_seconds: float = 0.2) -> Iterator[StreamItem]:
        """The strategy's event stream, for ever: status, risk events, decisions, portfolio
        updates, fills. Reconnects by itself and resumes after the last risk event (none lost or
        repeated); while it is down it yields :class:`Disconnected` (state unknown), again after
        every failed attempt. An unknown strategy or a refused request raises."""
        resumption = Resumption()
        attempt = 0
        down_since = 0.0
        t = self._target
        while True:
            conn: http.client.HTTPConnection = (http.client.HTTPSConnection if t.https else http.client.HTTPConnection)(t.host, t.port, timeout=SILENCE_SECONDS)
            reason: str
            try:
                headers = {"Host": t.netloc, "Accept": "text/event-stream", "Cache-Control": "no-cache"}
                if resumption.last_event_id is not None:
                    headers["Last-Event-ID"] = resumption.last_event_id
                conn.request("GET", wire.strategy_path(strategy, "/events"), headers=headers)
                resp = conn.getresponse()
                if resp.status != 200:
                    try:
                        wire.read_answer(resp.status, resp.read())
                    except ApiError as refused:
                        if refused.status not in (429, 503):
                            raise
                        reason = f"{refused.code}: {refused.message}"
                    else:
                        reason = f"HTTP {resp.status}"
                else:
                    parser = FrameParser()
                    attempt = 0
                    while True:
                        line = resp.readline()
                        if not line:
                            reason = "the sidecar ended the stream"
                            break
                        frame = parser.line(line.decode("utf-8", "replace"))
                        if frame is None:
                            continue
                        item = resumption.item(frame)
                        if item is not None:
                            yield item
            except (OSError, http.client.HTTPException) as error:
                reason = f"{type(error).__name__}: {error}"
            finally:
                conn.close()
            attempt += 1
            if attempt == 1:
                down_since = time.time()
            yield Disconnected(reason, down_since, attempt)
            time.sleep(backoff(attempt, retry_seconds))
