"""The asyncio client: the same surface as :class:`breakerbox_client.Client`, over one keep-alive
HTTP/1.1 connection written by hand on asyncio streams (reopened when the sidecar closes it)."""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import AsyncIterator, Awaitable, Callable, Sequence, TypeVar

from . import _wire as wire
from ._sse import SILENCE_SECONDS, FrameParser, Resumption
from .client import Target, backoff
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

_MAX_HEADER_LINES = 100
_MAX_BODY = 64 * 1024 * 1024


class _Closed(Exception):
    """The peer closed the connection before an answer began."""


class _Answer:
    def __init__(self, status: int, headers: dict[str, str], reader: asyncio.StreamReader) -> None:
        self.status = status
        self.headers = headers
        self.reader = reader

    @property
    def chunked(self) -> bool:
        return "chunked" in self.headers.get("transfer-encoding", "").lower()

    @property
    def will_close(self) -> bool:
        return self.headers.get("connection", "").lower() == "close"

    async def body(self) -> bytes:
        if self.chunked:
            out = bytearray()
            while True:
                size = int((await self.reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                if len(out) + size > _MAX_BODY:
                    raise SidecarUnreachable("the sidecar's answer is too large")
                out += await self.reader.readexactly(size)
                await self.reader.readline()
        length = int(self.headers.get("content-length", "0"))
        if length > _MAX_BODY:
            raise SidecarUnreachable("the sidecar's answer is too large")
        return await self.reader.readexactly(length) if length > 0 else b""

    async def lines(self) -> AsyncIterator[bytes]:
        """The body line by line (the event stream), chunked or not."""
        if not self.chunked:
            while line := await self.reader.readline():
                yield line
            return
        pending = b""
        while True:
            size = int((await self.reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                return
            pending += await self.reader.readexactly(size)
            await self.reader.readline()
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line + b"\n"


async def _open(target: Target, timeout: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    ctx = ssl.create_default_context() if target.https else None
    return await asyncio.wait_for(asyncio.open_connection(target.host, target.port, ssl=ctx), timeout)


def _request_bytes(method: str, path: str, headers: dict[str, str], body: bytes | None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode("latin-1") + (body or b"")


async def _read_head(reader: asyncio.StreamReader) -> _Answer:
    first = await reader.readline()
    if not first:
        raise _Closed()
    parts = first.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise SidecarUnreachable(f"not an HTTP answer: {first[:80]!r}")
    headers: dict[str, str] = {}
    for _ in range(_MAX_HEADER_LINES):
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return _Answer(int(parts[1]), headers, reader)
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    raise SidecarUnreachable("too many header lines in the sidecar's answer")


class AsyncClient:
    """A breakerbox sidecar's API on asyncio. Calls are serialised on one connection.

    Every method raises :class:`SidecarUnreachable` when the sidecar cannot be reached and a
    typed :class:`ApiError` when it refuses; none ever reads a failure as "allowed".
    Modify and cancel checks and overrides are not in the sidecar's API yet; they come with it.
    """

    def __init__(self, url: str, token: str, *, timeout: float = 5.0) -> None:
        self._target = Target(url)
        self._token = token
        self._timeout = timeout
        self._conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._used = False
        self._lock = asyncio.Lock()

    async def _drop(self) -> None:
        if self._conn is not None:
            writer = self._conn[1]
            writer.close()
            try:
                await writer.wait_closed()
            except (OSError, ssl.SSLError):
                pass
        self._conn, self._used = None, False

    async def _exchange(self, data: bytes) -> tuple[int, bytes, bool]:
        if self._conn is None:
            self._conn = await _open(self._target, self._timeout)
        reader, writer = self._conn
        writer.write(data)
        await writer.drain()
        self._used = True
        answer = await _read_head(reader)
        return answer.status, await answer.body(), answer.will_close

    async def _send(self, call: wire.Call[T]) -> T:
        body = call.payload()
        data = _request_bytes(call.method, call.path, dict(wire.headers(self._target.netloc, self._token, call.auth, body)), body)
        async with self._lock:
            for attempt in (1, 2):
                reused = self._conn is not None and self._used
                try:
                    status, answer, close = await asyncio.wait_for(self._exchange(data), self._timeout)
                    if close:
                        await self._drop()
                except (_Closed, ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError) as error:
                    await self._drop()
                    if reused and attempt == 1:
                        continue
                    raise SidecarUnreachable(f"the sidecar at {self._target.netloc} closed the connection: {error!r}") from error
                except (OSError, asyncio.TimeoutError, ValueError) as error:
                    await self._drop()
                    raise SidecarUnreachable(f"cannot reach the sidecar at {self._target.netloc}: {error!r}") from error
                except BaseException:
                    # Cancelled mid-exchange: the connection is in an unknown state.
                    await self._drop()
                    raise
                return call.read(wire.read_answer(status, answer))
        raise SidecarUnreachable(f"cannot reach the sidecar at {self._target.netloc}")

    async def _ingest(self, strategy: str, build: Callable[[], wire.Call[T]]) -> T:
        try:
            call = build()
        except ValidationError as refused:
            try:
                await self._send(wire.error(strategy, "data_error", wire.refusal_report(refused)))
            except BreakerboxError:
                pass
            raise
        return await self._send(call)

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- the API (as Client) ---------------------------------------------------------------

    async def strategies(self) -> list[StrategySummary]:
        return await self._send(wire.strategies())

    async def status(self, strategy: str) -> Status:
        return await self._send(wire.status(strategy))

    async def check(self, strategy: str, order: Order) -> Decision:
        return await self._send(wire.check(strategy, order))

    async def check_modify(self, strategy: str, order_id: str, *, quantity: DecimalLike | None = None, price: DecimalLike | None = None) -> Decision:
        """As :meth:`breakerbox_client.Client.check_modify`."""
        return await self._send(wire.check_modify(strategy, order_id, quantity, price))

    async def check_cancel(self, strategy: str, order_id: str) -> Decision:
        """As :meth:`breakerbox_client.Client.check_cancel`."""
        return await self._send(wire.check_cancel(strategy, order_id))

    async def update_portfolio(
        self,
        strategy: str,
        value: DecimalLike,
        *,
        positions: Sequence[Position] | None = None,
        cash: DecimalLike | None = None,
        timestamp: Instant | None = None,
        as_of: Instant | None = None,
    ) -> None:
        await self._ingest(strategy, lambda: wire.portfolio(strategy, value, positions, cash, timestamp, as_of))

    async def record_fill(
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
        await self._ingest(strategy, lambda: wire.fill(strategy, symbol, side, quantity, price, order_id, realized_pnl, timestamp))

    async def record_error(self, strategy: str, kind: str, message: str) -> None:
        await self._send(wire.error(strategy, kind, message))

    async def order_closed(self, strategy: str, order_id: str) -> bool:
        return await self._send(wire.order_closed(strategy, order_id))

    async def halt(self, strategy: str, operator: str, reason: str, *, mode: str | None = None) -> HaltResult:
        return await self._send(wire.halt(strategy, operator, reason, mode))

    async def request_reset(self, strategy: str, operator: str, breaker: str) -> ResetRequest:
        return await self._send(wire.request_reset(strategy, operator, breaker))

    async def confirm_reset(self, strategy: str, operator: str, token: str) -> ResetConfirmation:
        return await self._send(wire.confirm_reset(strategy, operator, token))

    async def journal(
        self,
        strategy: str,
        *,
        since: Instant | None = None,
        until: Instant | None = None,
        limit: int | None = None,
        types: Sequence[str] | None = None,
        newest_first: bool = False,
    ) -> list[RiskEvent]:
        return await self._send(wire.journal(strategy, since, until, limit, types, newest_first))

    async def history(self, strategy: str, *, since: Instant | None = None) -> History:
        return await self._send(wire.history(strategy, since))

    def guard(self, strategy: str, submit: Callable[[Order], Awaitable[T]]) -> Callable[[Order], Awaitable[T | Decision]]:
        """As :meth:`Client.guard`, for an async ``submit``: awaited only for allowed orders."""

        async def guarded(order: Order) -> T | Decision:
            decision = await self.check(strategy, order)
            if decision.allowed is not True:
                return decision
            return await submit(order)

        return guarded

    async def events(self, strategy: str, *, retry_seconds: float = 0.2) -> AsyncIterator[StreamItem]:
        """As :meth:`Client.events`, an async iterator."""
        resumption = Resumption()
        attempt = 0
        down_since = 0.0
        t = self._target
        while True:
            writer: asyncio.StreamWriter | None = None
            reason: str
            try:
                reader, writer = await _open(t, SILENCE_SECONDS)
                headers = {"Host": t.netloc, "Accept": "text/event-stream", "Cache-Control": "no-cache"}
                if resumption.last_event_id is not None:
                    headers["Last-Event-ID"] = resumption.last_event_id
                writer.write(_request_bytes("GET", wire.strategy_path(strategy, "/events"), headers, None))
                await writer.drain()
                answer = await asyncio.wait_for(_read_head(reader), SILENCE_SECONDS)
                if answer.status != 200:
                    try:
                        wire.read_answer(answer.status, await answer.body())
                    except ApiError as refused:
                        if refused.status not in (429, 503):
                            raise
                        reason = f"{refused.code}: {refused.message}"
                    else:
                        reason = f"HTTP {answer.status}"
                else:
                    parser = FrameParser()
                    attempt = 0
                    lines = answer.lines()
                    while True:
                        try:
                            line = await asyncio.wait_for(anext(lines), SILENCE_SECONDS)
                        except StopAsyncIteration:
                            reason = "the sidecar ended the stream"
                            break
                        frame = parser.line(line.decode("utf-8", "replace"))
                        if frame is None:
                            continue
                        item = resumption.item(frame)
                        if item is not None:
                            yield item
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, _Closed, ValueError) as error:
                reason = f"{type(error).__name__}: {error}"
            except SidecarUnreachable as error:
                reason = error.message
            finally:
                if writer is not None:
                    writer.close()
            attempt += 1
            if attempt == 1:
                down_since = time.time()
            yield Disconnected(reason, down_since, attempt)
            await asyncio.sleep(backoff(attempt, retry_seconds))
