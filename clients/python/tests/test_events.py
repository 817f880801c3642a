"""The event iterator against a real sidecar: a halt from the CLI reaches it, and it resumes
across a restart of the sidecar with no event lost or repeated."""

from __future__ import annotations

import queue
import shutil
import threading
import time
from decimal import Decimal
from typing import Callable, Iterator

from breakerbox_client import Client, Disconnected, Order, Resumed, RiskEventMessage, StatusEvent, StreamItem
from conftest import TOKEN, Sidecar


class Reader:
    """Runs ``events()`` on a thread and queues what it yields."""

    def __init__(self, items: Iterator[StreamItem]) -> None:
        self.items: queue.Queue[StreamItem] = queue.Queue()
        self.seen: list[StreamItem] = []
        self._it = items
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        for item in self._it:
            self.items.put(item)

    def until(self, pred: Callable[[StreamItem], bool], timeout: float = 15.0) -> StreamItem:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"timed out; saw {[type(i).__name__ for i in self.seen]}"
            try:
                item = self.items.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(item)
            if pred(item):
                return item

    def risk_ids(self) -> list[str]:
        return [i.event.event_id for i in self.seen if isinstance(i, RiskEventMessage)]


def test_a_halt_from_the_cli_reaches_the_iterator(sidecar: Sidecar) -> None:
    client = Client(sidecar.url, TOKEN)
    reader = Reader(client.events("ev"))
    first = reader.until(lambda i: isinstance(i, StatusEvent))
    assert isinstance(first, StatusEvent) and first.status.strategy == "ev"
    done = sidecar.cli("live", "stop", "--strategy", "ev", "--reason", "desk stop from the CLI", "--operator", "carol")
    assert done.returncode == 0, done.stderr
    halt = reader.until(lambda i: isinstance(i, RiskEventMessage) and i.event.type == "ManualHalt")
    assert isinstance(halt, RiskEventMessage)
    assert (halt.event.operator, halt.event.details.get("reason")) == ("carol", "desk stop from the CLI")
    status = reader.until(lambda i: isinstance(i, StatusEvent) and i.status.state == "MANUALLY_HALTED")
    assert isinstance(status, StatusEvent) and status.status.orders_allowed is False


def pull(items: Iterator[StreamItem], seen: list[StreamItem], pred: Callable[[StreamItem], bool]) -> StreamItem:
    """Pulls from the iterator itself (it reconnects only when pulled) until ``pred`` holds."""
    for item in items:
        seen.append(item)
        if pred(item):
            return item
    raise AssertionError("the iterator ended")


def test_resumes_across_a_restart_with_nothing_lost_or_repeated() -> None:
    s = Sidecar([{"name": "r", "breakers": "moderate"}])
    s.start()
    try:
        client = Client(s.url, TOKEN)
        client.update_portfolio("r", Decimal("1000"))
        items = client.events("r")
        seen: list[StreamItem] = []
        pull(items, seen, lambda i: isinstance(i, StatusEvent))
        for n in range(3):
            client.record_error("r", "broker_error", f"before {n}")
        pull(items, seen, lambda i: isinstance(i, RiskEventMessage) and i.event.details.get("message") == "before 2")
        s.stop()
        down = pull(items, seen, lambda i: isinstance(i, Disconnected))
        assert isinstance(down, Disconnected) and down.attempt == 1
        # The iterator is not pulled now, so it does not reconnect: the sidecar restarts and
        # journals what the iterator misses.
        s.start()
        for n in range(3):
            client.record_error("r", "broker_error", f"after {n}")
        client.halt("r", "ann", "after the restart")
        resumed = pull(items, seen, lambda i: isinstance(i, Resumed))
        assert isinstance(resumed, Resumed) and resumed.complete is True and resumed.replayed >= 4
        pull(items, seen, lambda i: isinstance(i, StatusEvent) and i.status.state == "MANUALLY_HALTED")
        client.record_error("r", "broker_error", "live again")
        pull(items, seen, lambda i: isinstance(i, RiskEventMessage) and i.event.details.get("message") == "live again")
        got = [i.event.event_id for i in seen if isinstance(i, RiskEventMessage)]
        journal = [e.event_id for e in client.journal("r")]
        while got[-1] not in journal:  # the journal is written just after the event is published
            time.sleep(0.02)
            journal = [e.event_id for e in client.journal("r")]
        assert len(set(got)) == len(got), "no event repeated"
        assert got == journal[journal.index(got[0]) :], "every journal entry since the first one seen, in order"
        assert journal.index(got[0]) <= 1
    finally:
        s.stop()
        shutil.rmtree(s.dir, ignore_errors=True)


def test_says_disconnected_while_the_sidecar_is_down_and_guard_submits_nothing() -> None:
    s = Sidecar([{"name": "x", "breakers": "moderate"}])
    s.start()
    try:
        client = Client(s.url, TOKEN, timeout=2.0)
        client.update_portfolio("x", 100)
        reader = Reader(client.events("x", retry_seconds=0.1))
        reader.until(lambda i: isinstance(i, StatusEvent))
        s.stop()
        reader.until(lambda i: isinstance(i, Disconnected))
        again = reader.until(lambda i: isinstance(i, Disconnected) and i.attempt >= 3)
        assert isinstance(again, Disconnected) and again.since > 0
        sent: list[Order] = []
        place = client.guard("x", lambda o: sent.append(o))
        try:
            place(Order("X", "buy", 1))
            raise AssertionError("a dead sidecar must not read as allowed")
        except ConnectionError:
            pass
        assert sent == []
    finally:
        s.stop()
        shutil.rmtree(s.dir, ignore_errors=True)


def test_an_unknown_strategy_raises_instead_of_retrying(sidecar: Sidecar) -> None:
    from breakerbox_client import NotFoundError

    try:
        next(Client(sidecar.url, TOKEN).events("nope"))
        raise AssertionError("an unknown strategy must raise")
    except NotFoundError as e:
        assert (e.status, e.code) == (404, "NOT_FOUND")
