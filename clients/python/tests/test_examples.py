"""The examples run against a real sidecar configured as examples/python/sidecar.json: the
zipline-style strategy trips a breaker and stops ordering; the asyncio bot stops on the trip."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from typing import Iterator

import pytest

from conftest import ROOT, TOKEN, Sidecar, clean_env


@pytest.fixture(scope="module")
def examples() -> Iterator[Sidecar]:
    config = json.loads((ROOT / "examples" / "python" / "sidecar.json").read_text())
    s = Sidecar(config["strategies"])
    s.start()
    try:
        yield s
    finally:
        s.stop()
        shutil.rmtree(s.dir, ignore_errors=True)


def run(sidecar: Sidecar, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python" / script)],
        env=clean_env(BREAKERBOX_URL=sidecar.url, BREAKERBOX_TOKEN=TOKEN),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_zipline_style_strategy_trips_a_breaker_and_stops_ordering(examples: Sidecar) -> None:
    done = run(examples, "zipline_strategy.py")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    refused = next(i for i, line in enumerate(lines) if "order refused: BREAKER_NOT_NORMAL" in line)
    assert "stopping" in lines[refused + 1]
    assert not any("filled" in line for line in lines[refused:]), "no order after the trip"
    assert "zipline-demo: TRIPPED, orders allowed: False" in done.stdout


def test_the_asyncio_bot_stops_on_the_trip(examples: Sidecar) -> None:
    done = run(examples, "asyncio_bot.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "asyncio-bot: TRIPPED, orders allowed: False" in done.stdout


def test_the_examples_fail_closed_without_a_sidecar() -> None:
    s = Sidecar([])
    done = run(s, "zipline_strategy.py")  # never started: nothing listens on its port
    assert done.returncode == 2 and "nothing more is ordered" in done.stderr
