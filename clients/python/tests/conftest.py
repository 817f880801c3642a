"""A real ``breakerbox serve`` (``node bin/breakerbox.js serve``) per test module: a temp config
and data directory, a free port, a known token. No mock server anywhere."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[3]
BIN = ROOT / "bin" / "breakerbox.js"
TOKEN = "py-test-token-0123456789abcdef"
NODE = shutil.which("node") or "node"

STRATEGIES: list[dict[str, object]] = [
    {"name": "py", "breakers": "moderate"},
    {"name": "raw", "breakers": "moderate"},
    {"name": "ev", "breakers": "moderate"},
    {"name": "bad", "breakers": "moderate"},
    {"name": "aio", "breakers": "moderate"},
    {"name": "aio-raw", "breakers": "moderate"},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not re.match(r"^(BREAKERBOX_|SMTP_|TWILIO_|ALERT_)", k)}
    env.update(extra)
    return env


class Sidecar:
    """One ``breakerbox serve`` process; ``restart()`` keeps its port and data directory."""

    def __init__(self, strategies: list[dict[str, object]]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="bb-py-"))
        self.port = free_port()
        self.config = self.dir / "config.json"
        self.config.write_text(json.dumps({"host": "127.0.0.1", "port": self.port, "store": {"path": str(self.dir / "data")}, "strategies": strategies}))
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    def start(self) -> None:
        proc = subprocess.Popen(
            [NODE, "--", str(BIN), "serve", "--config", str(self.config)],
            cwd=ROOT,
            env=clean_env(BREAKERBOX_TOKEN=TOKEN),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.proc = proc
        ready = threading.Event()

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self.output.append(line)
                if "listening on" in line:
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 30
        while not ready.wait(0.05):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("breakerbox serve did not start:\n" + "".join(self.output))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def raw(self, method: str, path: str, body: object = None, token: str | None = TOKEN) -> tuple[int, object]:
        """The HTTP API's own answer (urllib, no client), JSON read with Decimal for fractions."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                return res.status, json.loads(res.read(), parse_float=Decimal)
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read(), parse_float=Decimal)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [NODE, "--", str(BIN), *args],
            cwd=ROOT,
            env=clean_env(BREAKERBOX_URL=self.url, BREAKERBOX_TOKEN=TOKEN, USER="tester"),
            capture_output=True,
            text=True,
            timeout=30,
        )


@pytest.fixture(scope="module")
def sidecar() -> Iterator[Sidecar]:
    s = Sidecar(list(STRATEGIES))
    s.start()
    try:
        yield s
    finally:
        s.stop()
        shutil.rmtree(s.dir, ignore_errors=True)


class Watchdog(Exception):
    """A test ran past its deadline (not an OSError, so no client mistakes it for a dropped connection)."""


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """Fails a test that hangs (an iterator waiting for an item that never comes) after 180 s (BB_WATCHDOG)."""

    seconds = int(os.environ.get("BB_WATCHDOG", "180"))

    def expire(signum: int, frame: object) -> None:
        raise Watchdog(f"the test ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
