"""record_fill with ``realized_pnl`` and ``timestamp`` (sync and async) against a real
``breakerbox serve`` whose strategies run the trade-losses breaker: the losing fills trip it, a
gain and zero do not count, and a float P&L is refused before it is sent, naming the field."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime, timezone
from decimal import Decimal
from typing import Iterator

import pytest

from breakerbox_client import AsyncClient, Client, Order, ValidationError
from conftest import TOKEN, Sidecar

STRATEGIES: list[dict[str, object]] = [{"name": name, "breakers": {"tradeLosses": {"maxLosses": 2, "lookback": 3600}}} for name in ("losses", "losses-aio")]


@pytest.fixture(scope="module")
def fills_sidecar() -> Iterator[Sidecar]:
    s = Sidecar(STRATEGIES)
    s.start()
    try:
        yield s
    finally:
        s.stop()
        shutil.rmtree(s.dir, ignore_errors=True)


def losses_state(s: Sidecar, strategy: str) -> dict[str, object]:
    code, body = s.raw("GET", f"/api/strategies/{strategy}/status")
    assert code == 200 and isinstance(body, dict)
    breaker = body["breakers"]["tradeLosses"]
    assert isinstance(breaker, dict)
    return breaker


def test_losing_fills_trip_trade_losses(fills_sidecar: Sidecar) -> None:
    s = fills_sidecar
    with Client(s.url, TOKEN) as c:
        c.update_portfolio("losses", Decimal("1000000"))
        c.record_fill("losses", "ES", "sell", 1, Decimal("5000"), realized_pnl=Decimal("-120.50"), timestamp=datetime.now(timezone.utc))
        c.record_fill("losses", "ES", "sell", 1, Decimal("5000"), realized_pnl="300")
        c.record_fill("losses", "ES", "sell", 1, Decimal("5000"), realized_pnl=0)
        breaker = losses_state(s, "losses")
        assert breaker["state"] == "NORMAL" and breaker["figures"]["count"] == 1  # type: ignore[index]
        with pytest.raises(ValidationError) as refused:
            c.record_fill("losses", "ES", "sell", 1, Decimal("5000"), realized_pnl=-1.5)  # type: ignore[arg-type]
        assert refused.value.field == "realizedPnl"
        c.record_fill("losses", "ES", "sell", 1, Decimal("5000"), realized_pnl=Decimal("-0.01"))
        assert losses_state(s, "losses")["state"] == "TRIPPED"
        decision = c.check("losses", Order("ES", "buy", 1))
        assert decision.allowed is False and decision.breaker == "tradeLosses"


def test_losing_fills_trip_trade_losses_async(fills_sidecar: Sidecar) -> None:
    s = fills_sidecar

    async def run() -> None:
        async with AsyncClient(s.url, TOKEN) as c:
            await c.update_portfolio("losses-aio", Decimal("1000000"))
            for _ in range(2):
                await c.record_fill("losses-aio", "NQ", "buy", 2, Decimal("18000"), realized_pnl=Decimal("-5"))
            assert (await c.check("losses-aio", Order("NQ", "buy", 1))).allowed is False

    asyncio.run(run())
    assert losses_state(s, "losses-aio")["state"] == "TRIPPED"
