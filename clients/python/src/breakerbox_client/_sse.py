"""The event stream's wire format (``text/event-stream``) and the bookkeeping that makes a
reconnecting stream lose and repeat nothing: the last event id (sent back as ``Last-Event-ID``)
and the ids already delivered."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from .models import DecisionEvent, FillEvent, Json, PortfolioEvent, Resumed, RiskEventMessage, StatusEvent, StreamItem
from ._wire import _dec, _int, read_decision, read_event, read_status

# A sign of life comes every second (heartbeat); silence this long means the stream is cut.
SILENCE_SECONDS = 3.0
# Ids remembered to refuse a repeat (a replay always starts after the last one; this is a second guard).
_SEEN = 4096


@dataclass
class Frame:
    event: str
    data: str
    id: str | None


class FrameParser:
    """Turns lines of an event stream into frames (comments and unknown fields ignored)."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None

    def line(self, raw: str) -> Frame | None:
        line = raw.rstrip("\r\n")
        if line == "":
            frame = Frame(self._event or "message", "\n".join(self._data), self._id) if self._data else None
            self._event, self._data, self._id = "", [], None
            return frame
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value
        return None


class Resumption:
    """What a reader of the stream keeps across reconnects."""

    def __init__(self) -> None:
        self.last_event_id: str | None = None
        self._seen: deque[str] = deque(maxlen=_SEEN)
        self._seen_set: set[str] = set()

    def item(self, frame: Frame) -> StreamItem | None:
        """The typed item of a frame, or None (heartbeat, view, trace, or a repeat)."""
        if frame.event not in ("status", "risk", "decision", "portfolio", "fill", "resumed"):
            return None
        try:
            data: Json = json.loads(frame.data, parse_float=Decimal)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        if frame.event == "risk":
            if frame.id is not None:
                if frame.id in self._seen_set:
                    return None
                if len(self._seen) == self._seen.maxlen:
                    self._seen_set.discard(self._seen[0])
                self._seen.append(frame.id)
                self._seen_set.add(frame.id)
                self.last_event_id = frame.id
            return RiskEventMessage(read_event(data))
        if frame.event == "status":
            return StatusEvent(read_status(data))
        if frame.event == "decision":
            return DecisionEvent(data.get("order"), read_decision(data.get("decision")), _int(data.get("at")))
        if frame.event == "portfolio":
            positions = data.get("positions")
            return PortfolioEvent(_dec(data.get("value")) or Decimal(0), [p for p in positions if isinstance(p, dict)] if isinstance(positions, list) else [], _int(data.get("at")))
        if frame.event == "fill":
            oid = data.get("orderId")
            side = data.get("side")
            return FillEvent(
                oid if isinstance(oid, str) else None,
                str(data.get("symbol")),
                side if isinstance(side, str) else "",
                _dec(data.get("quantity")) or Decimal(0),
                _dec(data.get("price")) or Decimal(0),
                _int(data.get("at")),
            )
        return Resumed(_int(data.get("replayed")), data.get("complete") is True)
