"""check_modify and check_cancel (sync and async) against a real ``breakerbox serve`` whose
strategies run the message-rate breaker: decisions equal what the HTTP API answers for the same
body, a malformed message raises ValidationError naming the field, and a tripped message-rate
breaker still lets every cancellation through."""

from __future__ import annotations

import asyncio
import shutil
from decimal import Decimal
from typing import Iterator

import pytest

from breakerbox_client import AsyncClient, Client, Order, ValidationError
from conftest import TOKEN, Sidecar

MESSAGE_RATE = {"maxMessages": 5, "window": 3600}
STRATEGIES: list[dict[str, object]] = [
    {"name": name, "breakers": {"messageRate": MESSAGE_RATE, "orderRate": False, "errorRate": False}, "limits": {"maxPosition": 100, "maxOrderQuantity": 10}}
    for name in ("msg", "msg-raw", "msg-aio")
]


@pytest.fixture(scope="module")
def messages_sidecar() -> Iterator[Sidecar]:
    s = Sidecar(STRATEGIES)
    s.start()
    try:
        yield s
    finally:
        s.stop()
        shutil.rmtree(s.dir, ignore_errors=True)


def test_modify_and_cancel_equal_the_http_api_and_cancellations_pass_while_tripped(messages_sidecar: Sidecar) -> None:
    s = messages_sidecar
    with Client(s.url, TOKEN) as c:
        c.update_portfolio("msg", Decimal("1000"))
        assert s.raw("POST", "/api/strategies/msg-raw/portfolio", {"value": "1000"})[0] == 200
        assert c.check("msg", Order("AAPL", "buy", Decimal("5"), id="o1")).allowed is True
        assert s.raw("POST", "/api/strategies/msg-raw/orders/check", {"symbol": "AAPL", "side": "buy", "quantity": "5", "id": "o1"})[1] == {"allowed": True}

        steps: list[tuple[str, dict[str, object]]] = [
            ("modify", {"id": "o1", "quantity": "10"}),  # exactly at maxOrderQuantity
            ("modify", {"id": "o1", "quantity": "11"}),  # LIMIT_ORDER_QUANTITY
            ("modify", {"id": "nope", "price": "5"}),  # UNKNOWN_ORDER
            ("cancel", {"id": "o1"}),  # the 5th message: at the limit
            ("modify", {"id": "o1", "price": "1"}),  # the 6th trips and is itself rejected
            ("cancel", {"id": "o1"}),  # allowed while tripped
            ("cancel", {"id": "o2"}),
        ]
        outcomes = []
        for kind, body in steps:
            if kind == "modify":
                quantity = body.get("quantity")
                price = body.get("price")
                decision = c.check_modify(
                    "msg", str(body["id"]), quantity=None if quantity is None else Decimal(str(quantity)), price=None if price is None else Decimal(str(price))
                )
            else:
                decision = c.check_cancel("msg", str(body["id"]))
            status, answer = s.raw("POST", f"/api/strategies/msg-raw/orders/check/{kind}", body)
            assert status == 200 and decision.raw == answer, (kind, body, answer)
            outcomes.append("allowed" if decision.allowed else decision.code)
        assert outcomes == ["allowed", "LIMIT_ORDER_QUANTITY", "UNKNOWN_ORDER", "allowed", "BREAKER_NOT_NORMAL", "allowed", "allowed"]
        status_now = c.status("msg")
        assert status_now.breakers["messageRate"].state == "TRIPPED"

        with pytest.raises(ValidationError) as bad:
            c.check_modify("msg", "o1")
        assert bad.value.field == "body"
        with pytest.raises(ValidationError) as bad_id:
            c.check_cancel("msg", "")
        assert bad_id.value.field == "id"
        with pytest.raises(ValidationError) as bad_qty:
            c.check_modify("msg", "o1", quantity=Decimal("-1"))
        assert bad_qty.value.field == "quantity"
        with pytest.raises(ValidationError) as floated:
            c.check_modify("msg", "o1", price=1.5)  # type: ignore[arg-type]
        assert floated.value.field == "price"


def test_async_client_modify_and_cancel(messages_sidecar: Sidecar) -> None:
    s = messages_sidecar

    async def main() -> None:
        async with AsyncClient(s.url, TOKEN) as c:
            await c.update_portfolio("msg-aio", Decimal("1000"))
            assert (await c.check("msg-aio", Order("AAPL", "buy", Decimal("5"), id="a1"))).allowed is True
            assert (await c.check_modify("msg-aio", "a1", quantity=Decimal("3"), price=Decimal("100"))).allowed is True
            refused = await c.check_modify("msg-aio", "a1", quantity=11)
            assert (refused.allowed, refused.code, refused.limit) == (False, "LIMIT_ORDER_QUANTITY", "maxOrderQuantity")
            # Past the limit of 5 messages: cancellations still pass, all of them, at once too.
            cancels = await asyncio.gather(*(c.check_cancel("msg-aio", f"a{i}") for i in range(6)))
            assert all(d.allowed for d in cancels)
            assert (await c.status("msg-aio")).breakers["messageRate"].state == "TRIPPED"
            blocked = await c.check_modify("msg-aio", "a1", price="99")
            assert (blocked.allowed, blocked.code, blocked.breaker) == (False, "BREAKER_NOT_NORMAL", "messageRate")
            with pytest.raises(ValidationError) as bad:
                await c.check_cancel("msg-aio", "x" * 129)
            assert bad.value.field == "id"

    asyncio.run(main())
