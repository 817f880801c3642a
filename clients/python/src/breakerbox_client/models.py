"""Typed values of the API. Money and quantities are :class:`decimal.Decimal`, never float;
every object keeps the answer it was read from as ``raw`` (JSON numbers read as Decimal too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, Mapping, Union

Json = Union[None, bool, int, Decimal, str, list["Json"], dict[str, "Json"]]
"""A JSON value as the client reads it (fractions as Decimal, never float)."""
JsonObject = dict[str, Json]

Side = Literal["buy", "sell"]
DecimalLike = Union[Decimal, int, str]
"""What a money or quantity argument may be: a Decimal, an int or a decimal string. Never a float."""
Instant = Union[int, str, datetime]
"""ms since the epoch, an ISO-8601 string or an aware datetime."""


@dataclass(frozen=True)
class Order:
    """An order the strategy wants to submit (``price`` None: a market order)."""

    symbol: str
    side: Side
    quantity: DecimalLike
    price: DecimalLike | None = None
    id: str | None = None


@dataclass(frozen=True)
class Position:
    """One holding as the strategy reports it."""

    symbol: str
    quantity: DecimalLike
    price: DecimalLike | None = None


@dataclass(frozen=True)
class Decision:
    """The pre-trade decision. ``allowed`` False: ``code`` (``BREAKER_NOT_NORMAL``,
    ``LIMIT_*``, ``REDUCE_ONLY``, ...), ``reason``, the blocking ``breaker`` and the global ``state``."""

    allowed: bool
    code: str | None = None
    reason: str | None = None
    breaker: str | None = None
    state: str | None = None
    limit: str | None = None
    raw: JsonObject = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BreakerStatus:
    type: str
    enabled: bool
    state: str
    since: str | None
    reason: str | None
    reset_expires_at: str | None
    figures: JsonObject | None


@dataclass(frozen=True)
class Status:
    """A strategy's status (``GET …/status``); ``faulted`` is set when its figures cannot be shown."""

    strategy: str
    state: str
    orders_allowed: bool
    trading_mode: str | None
    breakers: Mapping[str, BreakerStatus]
    portfolio_value: Decimal | None
    faulted: str | None
    raw: JsonObject = field(compare=False, repr=False)


@dataclass(frozen=True)
class StrategySummary:
    name: str
    state: str
    orders_allowed: bool
    faulted: str | None


@dataclass(frozen=True)
class RiskEvent:
    """One journal entry (``CircuitBreakerTripped``, ``ManualHalt``, ...)."""

    id: str
    type: str
    strategy: str
    breaker: str | None
    at: int
    timestamp: str
    operator: str | None
    details: JsonObject

    @property
    def event_id(self) -> str:
        """Its position in the journal: the SSE id of the event stream."""
        return f"{self.at}.{self.id}"


@dataclass(frozen=True)
class HaltResult:
    state: str
    trading_mode: str | None
    already_halted: JsonObject | None
    tightened: bool | None


@dataclass(frozen=True)
class ResetRequest:
    """A reset's confirmation token; confirm it with ``confirm_reset`` before ``expires_at``."""

    token: str
    breaker: str
    expires_at: str


@dataclass(frozen=True)
class ResetConfirmation:
    confirmed: bool
    breaker: str
    state: str
    reason: str | None


@dataclass(frozen=True)
class HistoryPoint:
    t: int
    value: Decimal
    high_water_mark: Decimal | None
    drawdown_trip_level: Decimal | None
    daily_loss_trip_level: Decimal | None
    start_of_day: Decimal | None


@dataclass(frozen=True)
class History:
    """``GET …/history``: points for charts; marks, orders, fills and errors as the API gives them."""

    strategy: str
    since: int
    now: int
    points: list[HistoryPoint]
    marks: list[JsonObject]
    orders: list[JsonObject]
    fills: list[JsonObject]
    errors: list[JsonObject]


# ---- the event stream ------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusEvent:
    """The full status: first on (re)connect and after every state change."""

    status: Status
    kind: Literal["status"] = "status"


@dataclass(frozen=True)
class RiskEventMessage:
    """A journal entry, delivered once: never lost or repeated across reconnects."""

    event: RiskEvent
    kind: Literal["risk"] = "risk"


@dataclass(frozen=True)
class DecisionEvent:
    order: Json
    decision: Decision
    at: int
    kind: Literal["decision"] = "decision"


@dataclass(frozen=True)
class PortfolioEvent:
    value: Decimal
    positions: list[JsonObject]
    at: int
    kind: Literal["portfolio"] = "portfolio"


@dataclass(frozen=True)
class FillEvent:
    order_id: str | None
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    at: int
    kind: Literal["fill"] = "fill"


@dataclass(frozen=True)
class Disconnected:
    """The stream is down: the strategy's state is UNKNOWN until a fresh ``StatusEvent``.
    Yielded when it drops and again after every failed attempt to reconnect."""

    reason: str
    since: float
    attempt: int
    kind: Literal["disconnected"] = "disconnected"


@dataclass(frozen=True)
class Resumed:
    """Back after a drop: ``replayed`` journal entries followed (as RiskEventMessages);
    ``complete`` False means the sidecar could not replay everything (pruned, restarted in memory)."""

    replayed: int
    complete: bool
    kind: Literal["resumed"] = "resumed"


StreamItem = Union[StatusEvent, RiskEventMessage, DecisionEvent, PortfolioEvent, FillEvent, Disconnected, Resumed]
"""What ``events()`` yields; switch on ``item.kind`` or ``isinstance``."""
