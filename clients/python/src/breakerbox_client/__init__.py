"""breakerbox_client: a Python strategy's client of a breakerbox sidecar (``breakerbox serve``).

Standard library only. Money and quantities are :class:`decimal.Decimal` both ways, never float.
See docs/python.md.
"""

from .aio import AsyncClient
from .client import Client
from .errors import (
    ApiError,
    AuthError,
    BreakerboxError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    SidecarUnreachable,
    UnavailableError,
    ValidationError,
)
from .models import (
    BreakerStatus,
    Decision,
    DecisionEvent,
    Disconnected,
    FillEvent,
    HaltResult,
    History,
    HistoryPoint,
    Order,
    PortfolioEvent,
    Position,
    ResetConfirmation,
    ResetRequest,
    Resumed,
    RiskEvent,
    RiskEventMessage,
    Status,
    StatusEvent,
    StrategySummary,
    StreamItem,
)

__all__ = [
    "ApiError",
    "AsyncClient",
    "AuthError",
    "BreakerStatus",
    "BreakerboxError",
    "Client",
    "ConflictError",
    "Decision",
    "DecisionEvent",
    "Disconnected",
    "FillEvent",
    "HaltResult",
    "History",
    "HistoryPoint",
    "NotFoundError",
    "Order",
    "PortfolioEvent",
    "Position",
    "RateLimitedError",
    "ResetConfirmation",
    "ResetRequest",
    "Resumed",
    "RiskEvent",
    "RiskEventMessage",
    "SidecarUnreachable",
    "Status",
    "StatusEvent",
    "StrategySummary",
    "StreamItem",
    "UnavailableError",
    "ValidationError",
]
