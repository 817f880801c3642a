"""The client against a real sidecar: every call, and decisions and codes equal to what the
HTTP API answers for the same body (sent with urllib, no client)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from breakerbox_client import (
    AuthError,
    Client,
    ConflictError,
    Decision,
    NotFoundError,
    Order,
    Position,
    SidecarUnreachable,
    ValidationError,
)
from conftest import TOKEN, Sidecar


def same_as_http(sidecar: Sidecar, client: Client, strategy: str, raw_strategy: str, order: Order, body: dict[str, object]) -> Decision:
    decision = client.check(strategy, order)
    status, answer = sidecar.raw("POST", f"/api/strategies/{raw_strategy}/orders/check", body)
    assert status == 200
    assert decision.raw == answer
    assert isinstance(answer, dict)
    assert (decision.allowed, decision.code, decision.reason, decision.breaker, decision.state) == (
        answer["allowed"],
        answer.get("code"),
        answer.get("reason"),
        answer.get("breaker"),
        answer.get("state"),
    )
    return decision


def test_decisions_and_codes_equal_the_http_api(sidecar: Sidecar) -> None:
    with Client(sidecar.url, TOKEN) as c:
        buy = Order("AAPL", "buy", Decimal("10"), price=Decimal("190.25"))
        body: dict[str, object] = {"symbol": "AAPL", "side": "buy", "quantity": "10", "price": "190.25"}
        # No portfolio yet: blocked until the data can be trusted.
        first = same_as_http(sidecar, c, "py", "raw", buy, body)
        assert (first.allowed, first.code) == (False, "AWAITING_PORTFOLIO")

        c.update_portfolio("py", Decimal("100000.00"), positions=[Position("AAPL", 10, Decimal("190.25"))], cash=Decimal("98097.50"))
        assert sidecar.raw("POST", "/api/strategies/raw/portfolio", {"value": "100000.00", "positions": [{"symbol": "AAPL", "quantity": "10", "price": "190.25"}], "cash": "98097.50"})[0] == 200
        assert same_as_http(sidecar, c, "py", "raw", buy, body).allowed is True

        # -12 %: drawdown trips; every order is refused with the same code, breaker and state.
        c.update_portfolio("py", Decimal("88000"))
        sidecar.raw("POST", "/api/strategies/raw/portfolio", {"value": "88000"})
        tripped = same_as_http(sidecar, c, "py", "raw", buy, body)
        assert (tripped.allowed, tripped.code, tripped.state) == (False, "BREAKER_NOT_NORMAL", "TRIPPED")
        assert tripped.breaker in ("drawdown", "dailyLoss")

        status = c.status("py")
        raw_status = sidecar.raw("GET", "/api/strategies/raw/status", token=None)[1]
        assert isinstance(raw_status, dict)
        assert (status.state, status.orders_allowed, status.trading_mode) == (raw_status["state"], raw_status["ordersAllowed"], raw_status["tradingMode"])
        assert {k: b.state for k, b in status.breakers.items()} == {k: v["state"] for k, v in raw_status["breakers"].items()}
        assert status.portfolio_value == Decimal("88000")
        assert isinstance(status.portfolio_value, Decimal)

        # A malformed order: the same typed refusal as the HTTP API's, naming the field.
        with pytest.raises(ValidationError) as bad:
            c.check("py", Order("AAPL", "hold", Decimal("1")))  # type: ignore[arg-type]
        code, answer = sidecar.raw("POST", "/api/strategies/raw/orders/check", {"symbol": "AAPL", "side": "hold", "quantity": "1"})
        assert isinstance(answer, dict)
        assert (bad.value.status, bad.value.code, bad.value.field, bad.value.message) == (code, answer["error"]["code"], answer["error"]["field"], answer["error"]["message"])


def test_every_call(sidecar: Sidecar) -> None:
    with Client(sidecar.url, TOKEN) as c:
        assert {s.name for s in c.strategies()} >= {"py", "raw", "ev"}
        c.update_portfolio("ev", Decimal("50000"), timestamp=datetime.now(timezone.utc))
        c.update_portfolio("ev", Decimal("50000"), positions=[Position("ES", -2, Decimal("5012.25"))], cash=Decimal("60024.50"), as_of=datetime.now(timezone.utc))
        with pytest.raises(ValidationError) as as_of:
            c.update_portfolio("ev", Decimal("50000"), as_of="yesterday")
        assert (as_of.value.status, as_of.value.field) == (400, "asOf")
        c.update_portfolio("ev", Decimal("50000"), as_of=datetime.now(timezone.utc))  # clears the data fault the refusal set
        c.record_fill("ev", "ES", "sell", Decimal("2"), Decimal("5012.25"), order_id="o-1")
        c.record_error("ev", "broker_error", "timeout from the broker")
        assert c.check("ev", Order("ES", "sell", 1, id="o-2")).allowed is True
        assert c.order_closed("ev", "o-2") in (True, False)
        halted = c.halt("ev", "ann", "python test")
        assert halted.state == "MANUALLY_HALTED"
        again = c.halt("ev", "bob", "twice")
        assert again.already_halted is not None and again.already_halted["operator"] == "ann"
        token = c.request_reset("ev", "ann", "manual")
        assert token.breaker == "manual" and token.token
        with pytest.raises(ConflictError) as wrong:
            c.confirm_reset("ev", "ann", "not-the-token")
        assert (wrong.value.status, wrong.value.code, wrong.value.field) == (409, "INVALID_TOKEN", "token")
        confirmed = c.request_reset("ev", "ann", "manual")
        done = c.confirm_reset("ev", "ann", confirmed.token)
        assert done.confirmed is True and done.state == "NORMAL"
        types = [e.type for e in c.journal("ev")]
        assert "ManualHalt" in types and "ResetConfirmed" in types
        assert [e.type for e in c.journal("ev", types=["ManualHalt"])] == ["ManualHalt", "ManualHalt"]
        assert len(c.journal("ev", limit=1, newest_first=True)) == 1
        history = c.history("ev")
        assert history.strategy == "ev" and history.points and isinstance(history.points[-1].value, Decimal)
        assert any(f.get("orderId") == "o-1" for f in history.fills)


def test_keeps_one_connection_and_reopens_it_when_the_sidecar_closes_it() -> None:
    s = Sidecar([{"name": "k", "breakers": "moderate"}])
    s.start()
    try:
        c = Client(s.url, TOKEN)
        c.update_portfolio("k", 1000)
        conn = c._conn
        for _ in range(20):
            c.check("k", Order("X", "buy", 1))
        assert c._conn is conn, "one keep-alive connection for every call"
        s.restart()  # the server side of that connection is gone
        assert c.status("k").state == "NORMAL"
        assert c._conn is not conn
        c.close()
    finally:
        s.stop()


def test_unknown_strategy_and_wrong_token(sidecar: Sidecar) -> None:
    with Client(sidecar.url, TOKEN) as c:
        with pytest.raises(NotFoundError) as unknown:
            c.check("nope", Order("AAPL", "buy", 1))
        status, answer = sidecar.raw("POST", "/api/strategies/nope/orders/check", {"symbol": "AAPL", "side": "buy", "quantity": "1"})
        assert isinstance(answer, dict)
        assert (unknown.value.status, unknown.value.code) == (status, answer["error"]["code"]) == (404, "NOT_FOUND")
    before = len(Client(sidecar.url, TOKEN).journal("py"))
    with Client(sidecar.url, "wrong-token-0123456789abcdef") as bad:
        with pytest.raises(AuthError) as refused:
            bad.halt("py", "mallory", "no")
        with pytest.raises(AuthError):
            bad.update_portfolio("py", Decimal("1"))
    assert (refused.value.status, refused.value.code) == (403, "FORBIDDEN")
    assert sidecar.raw("POST", "/api/strategies/py/halt", {"operator": "m", "reason": "r"}, token="wrong-token-0123456789abcdef")[0] == 403
    with Client(sidecar.url, TOKEN) as c:
        assert len(c.journal("py")) == before, "nothing applied"
        assert c.status("py").portfolio_value == Decimal("88000")


def test_a_dead_sidecar_blocks() -> None:
    s = Sidecar([{"name": "d", "breakers": "moderate"}])
    s.start()
    submitted: list[Order] = []
    c = Client(s.url, TOKEN, timeout=2.0)

    def submit(order: Order) -> str:
        submitted.append(order)
        return "sent"

    place = c.guard("d", submit)
    c.update_portfolio("d", 1000)
    assert place(Order("X", "buy", 1)) == "sent"
    s.stop()
    try:
        with pytest.raises(SidecarUnreachable) as down:
            place(Order("X", "buy", 1))
        assert isinstance(down.value, ConnectionError) and down.value.code == "UNREACHABLE"
        with pytest.raises(SidecarUnreachable):
            c.check("d", Order("X", "buy", 1))
        with pytest.raises(SidecarUnreachable):
            Client(s.url, TOKEN).status("d")
        assert len(submitted) == 1, "nothing submitted while the sidecar is down"
    finally:
        c.close()
