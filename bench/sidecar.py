"""The Python side of bench/sidecar.ts: order checks with the client (one keep-alive connection)
beside the same server's bare route on the same connection; prints JSON (ns per call)."""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal

from breakerbox_client import Client, Order
from breakerbox_client import _wire as wire


def main() -> None:
    url, token, strategy, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = Client(url, token)
    order = Order("ES", "buy", Decimal("1"), price=Decimal("5012.25"))
    bare = wire.Call("POST", "/bench/bare", wire.order_body(order), wire.read_decision)
    check = wire.check(strategy, order)
    send = client._send
    samples: dict[str, list[int]] = {"check": [], "bare": []}
    for _ in range(min(1000, rounds)):  # warm-up
        send(check)
        send(bare)
    clock = time.perf_counter_ns
    # Interleaved blocks, so drift (other load on the machine) falls on both alike.
    for _ in range(rounds // 50):
        for name, call in (("check", check), ("bare", bare)):
            out = samples[name]
            for _ in range(50):
                t0 = clock()
                decision = send(call)
                out.append(clock() - t0)
            assert decision.allowed is True, decision
    # Checks per second over the one connection, one after the other.
    n = 0
    start = clock()
    while clock() - start < 1_000_000_000:
        send(check)
        n += 1
    per_second = n / ((clock() - start) / 1e9)
    client.close()
    print(json.dumps({"check": samples["check"], "bare": samples["bare"], "perSecond": per_second}))


if __name__ == "__main__":
    main()
