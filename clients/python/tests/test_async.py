"""AsyncClient: the same surface on asyncio, against a real sidecar."""

from __future__ import annotations

import asyncio
import shutil
from decimal import Decimal
from typing import AsyncIterator, Callable

import pytest

from breakerbox_client import AsyncClient, Decision, Disconnected, Order, Resumed, RiskEventMessage, SidecarUnreachable, StatusEvent, StreamItem, ValidationError
from conftest import TOKEN, Sidecar


async def until(items: AsyncIterator[StreamItem], seen: list[StreamItem], pred: Callable[[StreamItem], bool], timeout: float = 15.0) -> StreamItem:
    async def scan() -> StreamItem:
        async for item in items:
            seen.append(item)
            if pred(item):
                return item
        raise AssertionError("the iterator ended")

    return await asyncio.wait_for(scan(), timeout)


def test_calls_and_decisions_equal_the_http_api(sidecar: Sidecar) -> None:
    async def main() -> None:
        async with AsyncClient(sidecar.url, TOKEN) as c:
            await c.update_portfolio("aio", Decimal("100000"))
            sidecar.raw("POST", "/api/strategies/aio-raw/portfolio", {"value": "100000"})
            order = Order("MSFT", "buy", Decimal("5"), price=Decimal("410.10"))
            body = {"symbol": "MSFT", "side": "buy", "quantity": "5", "price": "410.10"}
            for value in ("100000", "88000"):
                await c.update_portfolio("aio", Decimal(value))
                sidecar.raw("POST", "/api/strategies/aio-raw/portfolio", {"value": value})
                decision = await c.check("aio", order)
                status, answer = sidecar.raw("POST", "/api/strategies/aio-raw/orders/check", body)
                assert status == 200 and decision.raw == answer
            assert decision.allowed is False and decision.code == "BREAKER_NOT_NORMAL"
            # Many calls at once share the one connection, one after the other.
            many = await asyncio.gather(*(c.check("aio", order) for _ in range(20)))
            assert all(d == decision for d in many)
            assert (await c.status("aio")).state == "TRIPPED"
            for _ in range(100):  # the journal is written just after the step that trips
                if await c.journal("aio", types=["CircuitBreakerTripped"]):
                    break
                await asyncio.sleep(0.02)
            assert [e.breaker for e in await c.journal("aio", types=["CircuitBreakerTripped"])]
            with pytest.raises(ValidationError) as bad:
                await c.update_portfolio("aio", Decimal("NaN"))
            assert (bad.value.status, bad.value.field) == (400, "value")
            with pytest.raises(ValidationError) as flt:
                await c.record_fill("aio", "MSFT", "buy", 0.5, Decimal(1))  # type: ignore[arg-type]
            assert (flt.value.status, flt.value.field) == (None, "quantity")
            sent: list[Order] = []

            async def submit(o: Order) -> str:
                sent.append(o)
                return "sent"

            refused = await c.guard("aio", submit)(order)
            assert isinstance(refused, Decision) and refused.code == "BREAKER_NOT_NORMAL" and sent == []

    asyncio.run(main())


def test_events_resume_across_a_restart_and_a_dead_sidecar_blocks() -> None:
    s = Sidecar([{"name": "a", "breakers": "moderate"}])
    s.start()

    async def main() -> None:
        c = AsyncClient(s.url, TOKEN, timeout=2.0)
        await c.update_portfolio("a", Decimal("1000"))
        items = c.events("a", retry_seconds=1.5)
        seen: list[StreamItem] = []
        await until(items, seen, lambda i: isinstance(i, StatusEvent))
        await c.record_error("a", "broker_error", "before")
        await until(items, seen, lambda i: isinstance(i, RiskEventMessage) and i.event.details.get("message") == "before")
        s.stop()
        await until(items, seen, lambda i: isinstance(i, Disconnected))
        sent: list[Order] = []

        async def submit(o: Order) -> None:
            sent.append(o)

        with pytest.raises(SidecarUnreachable):
            await c.guard("a", submit)(Order("X", "buy", 1))
        assert sent == []
        s.start()
        for n in range(3):
            await c.record_error("a", "broker_error", f"after {n}")
        resumed = await until(items, seen, lambda i: isinstance(i, Resumed))
        assert isinstance(resumed, Resumed) and resumed.complete and resumed.replayed >= 3
        await c.record_error("a", "broker_error", "live")
        await until(items, seen, lambda i: isinstance(i, RiskEventMessage) and i.event.details.get("message") == "live")
        got = [i.event.event_id for i in seen if isinstance(i, RiskEventMessage)]
        journal = [e.event_id for e in await c.journal("a")]
        while got[-1] not in journal:  # the journal is written just after the event is published
            await asyncio.sleep(0.02)
            journal = [e.event_id for e in await c.journal("a")]
        assert len(set(got)) == len(got)
        assert got == journal[journal.index(got[0]) :]
        await c.close()

    try:
        asyncio.run(main())
    finally:
        s.stop()
        shutil.rmtree(s.dir, ignore_errors=True)
