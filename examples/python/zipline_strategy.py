"""A zipline-style strategy (``initialize`` / ``handle_data``) that orders through breakerbox.

Start the sidecar, then run this (docs/python.md)::

    export BREAKERBOX_TOKEN=$(openssl rand -hex 16)
    node bin/breakerbox.js serve --config examples/python/sidecar.json &
    python3 examples/python/zipline_strategy.py

Every bar reports the portfolio to the sidecar and sends its order through ``guard``: the broker
is called only for allowed orders. The strategy buys the dip of a falling market; when the
drawdown breaker trips, ``guard`` returns the refusing decision and the strategy stops ordering.
Exit status 0 when it was stopped by a breaker, 1 if it never was, 2 when the sidecar is down.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from breakerbox_client import Client, Decision, Order, Position, SidecarUnreachable

URL = os.environ.get("BREAKERBOX_URL", "http://127.0.0.1:8787")
TOKEN = os.environ.get("BREAKERBOX_TOKEN", "")
STRATEGY = os.environ.get("BREAKERBOX_STRATEGY", "zipline-demo")
ASSET = "SPY"
# A market that rises, then falls 20 %.
PRICES = [Decimal(p) for p in ("400", "404", "401", "396", "388", "379", "371", "362", "352", "344", "336", "330", "325", "321")]


@dataclass
class PaperBroker:
    """Fills every order at the bar's price (the broker the strategy would call)."""

    cash: Decimal = Decimal("100000")
    shares: Decimal = Decimal("0")
    orders: list[Order] = field(default_factory=list)

    def submit(self, order: Order) -> str:
        assert order.price is not None
        qty = Decimal(order.quantity)
        self.shares += qty if order.side == "buy" else -qty
        self.cash -= qty * Decimal(order.price) if order.side == "buy" else -qty * Decimal(order.price)
        self.orders.append(order)
        return f"filled {order.side} {qty} {order.symbol} @ {order.price}"

    def value(self, price: Decimal) -> Decimal:
        return self.cash + self.shares * price


@dataclass
class Context:
    broker: PaperBroker
    bb: Client
    bar: int = 0
    stopped_by: Decision | None = None


def initialize(context: Context) -> None:
    context.bb.update_portfolio(STRATEGY, context.broker.value(PRICES[0]), cash=context.broker.cash, positions=[])


def handle_data(context: Context, price: Decimal) -> None:
    broker = context.broker
    # What the ledger says, every bar: the breakers judge this.
    context.bb.update_portfolio(STRATEGY, broker.value(price), cash=broker.cash, positions=[Position(ASSET, broker.shares, price)])
    if context.stopped_by is not None:
        return
    order = context.bb.guard(STRATEGY, broker.submit)
    result = order(Order(ASSET, "buy", Decimal(40), price=price, id=f"bar-{context.bar}"))
    if isinstance(result, Decision):
        context.stopped_by = result
        print(f"bar {context.bar}: order refused: {result.code} ({result.breaker}): {result.reason}")
        print(f"bar {context.bar}: stopping: no more orders")
        return
    context.bb.record_fill(STRATEGY, ASSET, "buy", Decimal(40), price, order_id=f"bar-{context.bar}")
    context.bb.order_closed(STRATEGY, f"bar-{context.bar}")
    print(f"bar {context.bar}: {result}; value {broker.value(price)}")


def main() -> int:
    if not TOKEN:
        print("set BREAKERBOX_TOKEN (the sidecar's token)", file=sys.stderr)
        return 2
    with Client(URL, TOKEN) as bb:
        context = Context(PaperBroker(), bb)
        try:
            initialize(context)
            for context.bar, price in enumerate(PRICES):
                handle_data(context, price)
            status = bb.status(STRATEGY)
        except SidecarUnreachable as down:
            # Fail closed: nothing was submitted without an answer.
            print(f"the sidecar is down, nothing more is ordered: {down}", file=sys.stderr)
            return 2
    print(f"{STRATEGY}: {status.state}, orders allowed: {status.orders_allowed}; {len(context.broker.orders)} orders sent")
    if context.stopped_by is None:
        return 1
    print(f"reset when reviewed: node bin/breakerbox.js live reset --strategy {STRATEGY} --breaker {context.stopped_by.breaker or 'manual'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
