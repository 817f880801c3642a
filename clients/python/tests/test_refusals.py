"""Bad input from Python gets the same typed refusal as from TypeScript (the HTTP API's answer
for the same body), nothing is applied, and a refused value is counted as a data error."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Callable

import pytest

from breakerbox_client import Client, Order, Position, ValidationError
from conftest import TOKEN, Sidecar


def data_errors(c: Client, strategy: str) -> int:
    figures = c.status(strategy).breakers["errorRate"].figures
    assert figures is not None
    by_kind = figures["byKind"]
    assert isinstance(by_kind, dict)
    n = by_kind["data_error"]
    assert isinstance(n, int)
    return n


@pytest.fixture(scope="module")
def c(sidecar: Sidecar) -> Client:
    client = Client(sidecar.url, TOKEN)
    client.update_portfolio("bad", Decimal("50000"), positions=[Position("AAPL", 10, Decimal("190"))])
    return client


def refused_like_http(sidecar: Sidecar, c: Client, call: Callable[[], object], path: str, body: dict[str, object], counted: int) -> ValidationError:
    """The client's refusal equals the sidecar's answer to the same body, with the same effect:
    nothing applied, and ``counted`` data errors more (1 for data, 0 for an order)."""
    errors = data_errors(c, "bad")
    value = c.status("bad").portfolio_value
    with pytest.raises(ValidationError) as refused:
        call()
    assert data_errors(c, "bad") == errors + counted, "a refused value of data counts as a data error"
    status, answer = sidecar.raw("POST", f"/api/strategies/bad{path}", body)
    assert data_errors(c, "bad") == errors + 2 * counted, "the same effect as the HTTP API's refusal"
    assert isinstance(answer, dict)
    assert (refused.value.status, refused.value.code, refused.value.field, refused.value.message) == (status, answer["error"]["code"], answer["error"]["field"], answer["error"]["message"])
    assert c.status("bad").portfolio_value == value == Decimal("50000"), "nothing applied"
    return refused.value


def test_nan(sidecar: Sidecar, c: Client) -> None:
    e = refused_like_http(sidecar, c, lambda: c.update_portfolio("bad", Decimal("NaN")), "/portfolio", {"value": "NaN"}, 1)
    assert (e.status, e.code, e.field) == (400, "VALIDATION", "value")


def test_a_huge_exponent(sidecar: Sidecar, c: Client) -> None:
    e = refused_like_http(sidecar, c, lambda: c.update_portfolio("bad", Decimal("1e1000000")), "/portfolio", {"value": "1E+1000000"}, 1)
    assert e.field == "value" and "exponent" in e.message
    refused_like_http(sidecar, c, lambda: c.update_portfolio("bad", Decimal("1"), cash=Decimal("-1e1000000")), "/portfolio", {"value": "1", "cash": "-1E+1000000"}, 1)


def test_a_symbol_with_a_zero_width_space(sidecar: Sidecar, c: Client) -> None:
    body: dict[str, object] = {"symbol": "AAPL\u200b", "side": "buy", "quantity": "1", "price": "190"}
    e = refused_like_http(sidecar, c, lambda: c.check("bad", Order("AAPL\u200b", "buy", 1, price=190)), "/orders/check", body, 0)
    assert (e.status, e.code, e.field) == (400, "VALIDATION", "symbol")


def test_a_float_or_a_bool_is_refused_before_sending_and_counted(c: Client) -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: c.update_portfolio("bad", 0.1), "value"),  # type: ignore[arg-type]
        (lambda: c.update_portfolio("bad", Decimal(1), cash=1e3), "cash"),  # type: ignore[arg-type]
        (lambda: c.update_portfolio("bad", Decimal(1), positions=[Position("AAPL", 1.5)]), "positions.0.quantity"),  # type: ignore[arg-type]
        (lambda: c.record_fill("bad", "AAPL", "buy", Decimal(1), math.inf), "price"),  # type: ignore[arg-type]
        (lambda: c.record_fill("bad", "AAPL", "buy", True, Decimal(1)), "quantity"),
    ]
    for call, field in cases:
        errors = data_errors(c, "bad")
        with pytest.raises(ValidationError) as refused:
            call()
        assert (refused.value.code, refused.value.field, refused.value.status) == ("VALIDATION", field, None)
        assert "float" in refused.value.message or "bool" in refused.value.message
        assert data_errors(c, "bad") == errors + 1
        assert c.status("bad").portfolio_value == Decimal("50000")


def test_a_float_in_an_order_is_refused_and_never_sent(c: Client, sidecar: Sidecar) -> None:
    history = len(c.history("bad").orders)
    errors = data_errors(c, "bad")
    cases: list[tuple[Order, str]] = [
        (Order("AAPL", "buy", Decimal(1), price=math.nan), "price"),  # type: ignore[arg-type]
        (Order("AAPL", "buy", True), "quantity"),
        (Order("AAPL", "buy", 0.5), "quantity"),  # type: ignore[arg-type]
    ]
    for order, field in cases:
        sent: list[Order] = []
        with pytest.raises(ValidationError) as refused:
            c.guard("bad", sent.append)(order)
        assert (refused.value.code, refused.value.field, refused.value.status) == ("VALIDATION", field, None)
        assert sent == []
    assert len(c.history("bad").orders) == history and data_errors(c, "bad") == errors


def test_decimals_travel_exactly(c: Client, sidecar: Sidecar) -> None:
    c.update_portfolio("aio-raw", Decimal("123456789.123456789"))
    assert c.status("aio-raw").portfolio_value == Decimal("123456789.123456789")
    c.update_portfolio("aio-raw", Decimal("1.5E+3"))
    assert c.status("aio-raw").portfolio_value == Decimal("1500")
