"""What travels: request bodies (decimals as strings, never float) and answers read into the
typed models. Shared by the blocking and the asyncio client, which only move bytes."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Callable, Generic, Mapping, Sequence, TypeVar
from urllib.parse import quote, urlencode

from .errors import BreakerboxError, SidecarUnreachable, ValidationError, error_for
from .models import (
    BreakerStatus,
    Decision,
    DecimalLike,
    History,
    HistoryPoint,
    HaltResult,
    Instant,
    Json,
    JsonObject,
    Order,
    Position,
    ResetConfirmation,
    ResetRequest,
    RiskEvent,
    Status,
    StrategySummary,
)

T = TypeVar("T")

# Beyond this exponent a Decimal is sent in scientific notation (the sidecar refuses it by its
# bounds), so a huge value never turns into a megabyte of digits here.
_PLAIN_EXPONENT = 64
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def decimal_text(value: object, field: str) -> str:
    """The wire form of a money or quantity argument: a Decimal, an int or a decimal string.

    A float (and a bool) is refused here with :class:`ValidationError` naming the field: a
    float cannot carry a decimal amount exactly. NaN, infinities and huge exponents are sent
    as they are, so the sidecar refuses them exactly as it refuses them from TypeScript."""
    if isinstance(value, bool):
        raise ValidationError(f"{field}: must be a decimal.Decimal, an int or a decimal string, not a bool (got {value!r})", code="VALIDATION", field=field)
    if isinstance(value, float):
        hint = f"; pass Decimal({str(value)!r})" if math.isfinite(value) else ""
        raise ValidationError(
            f"{field}: must be a decimal.Decimal, an int or a decimal string, not a float (got {value!r}): a float cannot hold a decimal amount exactly{hint}",
            code="VALIDATION",
            field=field,
        )
    if isinstance(value, Decimal):
        if value.is_finite() and abs(value.adjusted()) <= _PLAIN_EXPONENT:
            return format(value, "f")
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise ValidationError(f"{field}: must be a decimal.Decimal, an int or a decimal string (got {type(value).__name__})", code="VALIDATION", field=field)


def instant_wire(value: Instant, field: str) -> int | str:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(f"{field}: must be ms since the epoch (int), an ISO-8601 string or a datetime (got {value!r})", code="VALIDATION", field=field)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError(f"{field}: a datetime must carry its time zone (got {value!r})", code="VALIDATION", field=field)
        # ms since the epoch, computed exactly (the sidecar reads ISO strings to the millisecond).
        return (value - _EPOCH) // timedelta(milliseconds=1)
    return value


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API call: what to send and how to read the answer."""

    method: str
    path: str
    body: JsonObject | None
    read: Callable[[Json], T]
    auth: bool = True

    def payload(self) -> bytes | None:
        return None if self.body is None else json.dumps(self.body, separators=(",", ":")).encode()


def strategy_path(strategy: str, tail: str) -> str:
    if not isinstance(strategy, str):
        raise ValidationError(f"strategy: must be a string (got {type(strategy).__name__})", code="VALIDATION", field="strategy")
    return f"/api/strategies/{quote(strategy, safe='')}{tail}"


def read_answer(status: int, body: bytes) -> Json:
    """The JSON of an answer; raises the typed error of an error answer."""
    try:
        data: Json = json.loads(body, parse_float=Decimal) if body else None
    except ValueError as error:
        if status >= 400:
            raise error_for(status, "HTTP_" + str(status), body[:200].decode("utf-8", "replace"), None) from None
        raise SidecarUnreachable(f"the sidecar's answer is not JSON: {error}") from None
    if status >= 400:
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            code, message, field = err.get("code"), err.get("message"), err.get("field")
            raise error_for(status, str(code), str(message), field if isinstance(field, str) else None)
        raise error_for(status, "HTTP_" + str(status), f"HTTP {status}", None)
    return data


# ---- readers ---------------------------------------------------------------------------------


def _obj(data: Json) -> JsonObject:
    if not isinstance(data, dict):
        raise SidecarUnreachable(f"unexpected answer from the sidecar: {str(data)[:200]}")
    return data


def _str(data: JsonObject, key: str) -> str | None:
    v = data.get(key)
    return v if isinstance(v, str) else None


def _dec(v: Json) -> Decimal | None:
    if isinstance(v, (str, int, Decimal)) and not isinstance(v, bool):
        try:
            return Decimal(v)
        except ArithmeticError:
            return None
    return None


def _int(v: Json) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else int(v) if isinstance(v, Decimal) else 0


def read_decision(data: Json) -> Decision:
    d = _obj(data)
    allowed = d.get("allowed")
    if allowed is not True and allowed is not False:
        raise SidecarUnreachable(f"unexpected decision from the sidecar: {str(d)[:200]}")
    return Decision(
        allowed=allowed,
        code=_str(d, "code"),
        reason=_str(d, "reason"),
        breaker=_str(d, "breaker"),
        state=_str(d, "state"),
        limit=_str(d, "limit"),
        raw=d,
    )


def read_status(data: Json) -> Status:
    d = _obj(data)
    breakers: dict[str, BreakerStatus] = {}
    raw_breakers = d.get("breakers")
    if isinstance(raw_breakers, dict):
        for name, b in raw_breakers.items():
            if isinstance(b, dict):
                figures = b.get("figures")
                breakers[name] = BreakerStatus(
                    type=_str(b, "type") or name,
                    enabled=b.get("enabled") is True,
                    state=_str(b, "state") or "UNKNOWN",
                    since=_str(b, "since"),
                    reason=_str(b, "reason"),
                    reset_expires_at=_str(b, "resetExpiresAt"),
                    figures=figures if isinstance(figures, dict) else None,
                )
            elif isinstance(b, str):  # a state snapshot: only the state
                breakers[name] = BreakerStatus(type=name, enabled=True, state=b, since=None, reason=None, reset_expires_at=None, figures=None)
    portfolio = d.get("portfolio")
    faulted = d.get("faulted")
    return Status(
        strategy=_str(d, "strategy") or "",
        state=_str(d, "state") or "UNKNOWN",
        orders_allowed=d.get("ordersAllowed") is True,
        trading_mode=_str(d, "tradingMode"),
        breakers=breakers,
        portfolio_value=_dec(portfolio.get("value")) if isinstance(portfolio, dict) else None,
        faulted=_str(faulted, "reason") if isinstance(faulted, dict) else None,
        raw=d,
    )


def read_event(data: Json) -> RiskEvent:
    d = _obj(data)
    details = d.get("details")
    return RiskEvent(
        id=_str(d, "id") or "",
        type=_str(d, "type") or "",
        strategy=_str(d, "strategy") or "",
        breaker=_str(d, "breaker"),
        at=_int(d.get("at")),
        timestamp=_str(d, "timestamp") or "",
        operator=_str(d, "operator"),
        details=details if isinstance(details, dict) else {},
    )


def read_strategies(data: Json) -> list[StrategySummary]:
    items = _obj(data).get("strategies")
    out: list[StrategySummary] = []
    for s in items if isinstance(items, list) else []:
        if isinstance(s, dict):
            f = s.get("faulted")
            out.append(StrategySummary(_str(s, "name") or "", _str(s, "state") or "UNKNOWN", s.get("ordersAllowed") is True, _str(f, "reason") if isinstance(f, dict) else None))
    return out


def read_journal(data: Json) -> list[RiskEvent]:
    entries = _obj(data).get("entries")
    return [read_event(e) for e in entries] if isinstance(entries, list) else []


def read_history(data: Json) -> History:
    d = _obj(data)

    def rows(key: str) -> list[JsonObject]:
        v = d.get(key)
        return [r for r in v if isinstance(r, dict)] if isinstance(v, list) else []

    points = [
        HistoryPoint(
            t=_int(p.get("t")),
            value=_dec(p.get("value")) or Decimal(0),
            high_water_mark=_dec(p.get("highWaterMark")),
            drawdown_trip_level=_dec(p.get("drawdownTripLevel")),
            daily_loss_trip_level=_dec(p.get("dailyLossTripLevel")),
            start_of_day=_dec(p.get("startOfDay")),
        )
        for p in rows("points")
    ]
    return History(_str(d, "strategy") or "", _int(d.get("since")), _int(d.get("now")), points, rows("marks"), rows("orders"), rows("fills"), rows("errors"))


def read_ok(data: Json) -> None:
    return None


def read_halt(data: Json) -> HaltResult:
    d = _obj(data)
    already = d.get("alreadyHalted")
    tightened = d.get("tightened")
    return HaltResult(_str(d, "state") or "UNKNOWN", _str(d, "tradingMode"), already if isinstance(already, dict) else None, tightened if isinstance(tightened, bool) else None)


def read_reset(data: Json) -> ResetRequest:
    d = _obj(data)
    return ResetRequest(_str(d, "token") or "", _str(d, "breaker") or "", _str(d, "expiresAt") or "")


def read_confirmation(data: Json) -> ResetConfirmation:
    d = _obj(data)
    return ResetConfirmation(d.get("confirmed") is True, _str(d, "breaker") or "", _str(d, "state") or "UNKNOWN", _str(d, "reason"))


def read_released(data: Json) -> bool:
    return _obj(data).get("released") is True


# ---- calls -----------------------------------------------------------------------------------


def order_body(order: Order) -> JsonObject:
    if not isinstance(order, Order):
        raise ValidationError(f"order: must be a breakerbox_client.Order (got {type(order).__name__})", code="VALIDATION", field="order")
    body: JsonObject = {"symbol": order.symbol, "side": order.side, "quantity": decimal_text(order.quantity, "quantity")}
    if order.price is not None:
        body["price"] = decimal_text(order.price, "price")
    if order.id is not None:
        body["id"] = order.id
    return body


def check(strategy: str, order: Order) -> Call[Decision]:
    return Call("POST", strategy_path(strategy, "/orders/check"), order_body(order), read_decision)


def check_modify(strategy: str, order_id: str, quantity: DecimalLike | None, price: DecimalLike | None) -> Call[Decision]:
    body: JsonObject = {"id": order_id}
    if quantity is not None:
        body["quantity"] = decimal_text(quantity, "quantity")
    if price is not None:
        body["price"] = decimal_text(price, "price")
    return Call("POST", strategy_path(strategy, "/orders/check/modify"), body, read_decision)


def check_cancel(strategy: str, order_id: str) -> Call[Decision]:
    return Call("POST", strategy_path(strategy, "/orders/check/cancel"), {"id": order_id}, read_decision)


def portfolio(
    strategy: str,
    value: DecimalLike,
    positions: Sequence[Position] | None,
    cash: DecimalLike | None,
    timestamp: Instant | None,
    as_of: Instant | None,
) -> Call[None]:
    body: JsonObject = {"value": decimal_text(value, "value")}
    if positions is not None:
        rows: list[Json] = []
        for i, p in enumerate(positions):
            if not isinstance(p, Position):
                raise ValidationError(f"positions.{i}: must be a breakerbox_client.Position (got {type(p).__name__})", code="VALIDATION", field=f"positions.{i}")
            row: JsonObject = {"symbol": p.symbol, "quantity": decimal_text(p.quantity, f"positions.{i}.quantity")}
            if p.price is not None:
                row["price"] = decimal_text(p.price, f"positions.{i}.price")
            rows.append(row)
        body["positions"] = rows
    if cash is not None:
        body["cash"] = decimal_text(cash, "cash")
    if timestamp is not None:
        body["timestamp"] = instant_wire(timestamp, "timestamp")
    if as_of is not None:
        body["asOf"] = instant_wire(as_of, "asOf")
    return Call("POST", strategy_path(strategy, "/portfolio"), body, read_ok)


def fill(
    strategy: str,
    symbol: str,
    side: str,
    quantity: DecimalLike,
    price: DecimalLike,
    order_id: str | None,
    realized_pnl: DecimalLike | None = None,
    timestamp: Instant | None = None,
) -> Call[None]:
    body: JsonObject = {"symbol": symbol, "side": side, "quantity": decimal_text(quantity, "quantity"), "price": decimal_text(price, "price")}
    if order_id is not None:
        body["orderId"] = order_id
    if realized_pnl is not None:
        body["realizedPnl"] = decimal_text(realized_pnl, "realizedPnl")
    if timestamp is not None:
        body["timestamp"] = instant_wire(timestamp, "timestamp")
    return Call("POST", strategy_path(strategy, "/fills"), body, read_ok)


def error(strategy: str, kind: str, message: str) -> Call[None]:
    return Call("POST", strategy_path(strategy, "/errors"), {"kind": kind, "message": message}, read_ok)


def order_closed(strategy: str, order_id: str) -> Call[bool]:
    return Call("POST", strategy_path(strategy, "/orders/closed"), {"id": order_id}, read_released)


def halt(strategy: str, operator: str, reason: str, mode: str | None) -> Call[HaltResult]:
    body: JsonObject = {"operator": operator, "reason": reason}
    if mode is not None:
        body["mode"] = mode
    return Call("POST", strategy_path(strategy, "/halt"), body, read_halt)


def request_reset(strategy: str, operator: str, breaker: str) -> Call[ResetRequest]:
    return Call("POST", strategy_path(strategy, "/reset"), {"operator": operator, "breaker": breaker}, read_reset)


def confirm_reset(strategy: str, operator: str, token: str) -> Call[ResetConfirmation]:
    return Call("POST", strategy_path(strategy, "/reset/confirm"), {"operator": operator, "token": token}, read_confirmation)


def status(strategy: str) -> Call[Status]:
    return Call("GET", strategy_path(strategy, "/status"), None, read_status, auth=False)


def strategies() -> Call[list[StrategySummary]]:
    return Call("GET", "/api/strategies", None, read_strategies, auth=False)


def journal(strategy: str, since: Instant | None, until: Instant | None, limit: int | None, types: Sequence[str] | None, newest_first: bool) -> Call[list[RiskEvent]]:
    q: dict[str, str] = {}
    if since is not None:
        q["since"] = str(instant_wire(since, "since"))
    if until is not None:
        q["until"] = str(instant_wire(until, "until"))
    if limit is not None:
        q["limit"] = str(limit)
    if types:
        q["types"] = ",".join(types)
    if newest_first:
        q["newestFirst"] = "true"
    tail = "/journal" + (f"?{urlencode(q)}" if q else "")
    return Call("GET", strategy_path(strategy, tail), None, read_journal, auth=False)


def history(strategy: str, since: Instant | None) -> Call[History]:
    tail = "/history" + (f"?{urlencode({'since': str(instant_wire(since, 'since'))})}" if since is not None else "")
    return Call("GET", strategy_path(strategy, tail), None, read_history, auth=False)


def refusal_report(error: BreakerboxError) -> str:
    """The message of the ``data_error`` a locally refused value is counted as on the sidecar."""
    return f"refused by the Python client: {error.message}"[:2000]


def headers(host: str, token: str, auth: bool, body: bytes | None) -> Mapping[str, str]:
    h = {"Host": host, "Accept": "application/json", "Connection": "keep-alive"}
    if auth:
        h["Authorization"] = f"Bearer {token}"
    if body is not None:
        h["Content-Type"] = "application/json"
        h["Content-Length"] = str(len(body))
    return h
