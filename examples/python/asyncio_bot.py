"""A plain asyncio bot: trades on a timer, listens to the sidecar's event stream at the same
time, and stops when a breaker trips, an operator halts it, or the stream is cut (state unknown).

    export BREAKERBOX_TOKEN=$(openssl rand -hex 16)
    node bin/breakerbox.js serve --config examples/python/sidecar.json &
    python3 examples/python/asyncio_bot.py

Exit status 0 when it stopped on the sidecar's word, 1 if it never did, 2 when the sidecar is down.
"""

from __future__ import annotations

import asyncio
import os
import sys
from decimal import Decimal

from breakerbox_client import AsyncClient, Decision, Disconnected, Order, RiskEventMessage, SidecarUnreachable, StatusEvent

URL = os.environ.get("BREAKERBOX_URL", "http://127.0.0.1:8787")
TOKEN = os.environ.get("BREAKERBOX_TOKEN", "")
STRATEGY = os.environ.get("BREAKERBOX_STRATEGY", "asyncio-bot")


async def send_to_exchange(order: Order) -> str:
    await asyncio.sleep(0.01)  # the exchange's round trip
    return f"accepted {order.side} {order.quantity} {order.symbol}"


async def watch(bb: AsyncClient, stop: asyncio.Event) -> None:
    """Stops the bot on a trip, a halt, or a cut stream."""
    async for item in bb.events(STRATEGY):
        if isinstance(item, RiskEventMessage) and item.event.type in ("CircuitBreakerTripped", "ManualHalt"):
            print(f"event: {item.event.type} ({item.event.breaker}): stopping")
            stop.set()
        elif isinstance(item, Disconnected):
            print(f"event stream down ({item.reason}): state unknown, stopping")
            stop.set()
        elif isinstance(item, StatusEvent) and not item.status.orders_allowed and item.status.state != "NORMAL":
            stop.set()
        if stop.is_set():
            return


async def trade(bb: AsyncClient, stop: asyncio.Event) -> Decision | None:
    place = bb.guard(STRATEGY, send_to_exchange)
    value = Decimal("250000")
    for tick in range(40):
        if stop.is_set():
            return None
        value -= Decimal("1250")  # a losing streak: -0.5 % a tick
        await bb.update_portfolio(STRATEGY, value)
        result = await place(Order("ETH-USD", "sell", Decimal("0.25"), price=Decimal("3120.5")))
        if isinstance(result, Decision):
            print(f"tick {tick}: refused: {result.code}: {result.reason}")
            return result
        print(f"tick {tick}: {result}; value {value}")
        await asyncio.sleep(0.05)
    return None


async def main() -> int:
    if not TOKEN:
        print("set BREAKERBOX_TOKEN (the sidecar's token)", file=sys.stderr)
        return 2
    async with AsyncClient(URL, TOKEN) as bb:
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch(bb, stop))
        try:
            refused = await trade(bb, stop)
            await asyncio.wait_for(stop.wait(), 5)
        except SidecarUnreachable as down:
            print(f"the sidecar is down, nothing more is sent: {down}", file=sys.stderr)
            return 2
        except asyncio.TimeoutError:
            return 1
        finally:
            watcher.cancel()
        status = await bb.status(STRATEGY)
        print(f"{STRATEGY}: {status.state}, orders allowed: {status.orders_allowed}" + ("" if refused is None else f"; last refusal {refused.code}"))
        return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
