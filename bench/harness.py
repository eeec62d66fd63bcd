"""What every benchmark item shares: the server process, rounds, medians, the machine."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def rotated(items: Sequence[T], by: int) -> list[T]:
    """``items`` rotated left by ``by``: each round starts with a different contender."""
    if not items:
        return []
    by %= len(items)
    return [*items[by:], *items[:by]]


@dataclass
class Rounds:
    """Samples per contender, one per round; warm-up rounds are run but never stored."""

    warmups: int
    repetitions: int
    samples: dict[str, list[float]] = field(default_factory=dict)

    def indices(self) -> Iterator[tuple[int, bool]]:
        """``(round, kept)`` for every round, warm-ups first."""
        for i in range(self.warmups + self.repetitions):
            yield i, i >= self.warmups

    def add(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(value)

    def median(self, name: str) -> float:
        return median(self.samples[name])

    def ratios(self, numerator: str, denominator: str) -> list[float]:
        """Per-round ratios: both figures of a ratio come from the same round."""
        return [
            a / b for a, b in zip(self.samples[numerator], self.samples[denominator], strict=True)
        ]

    def ratio(self, numerator: str, denominator: str) -> float:
        return median(self.ratios(numerator, denominator))


class Servers:
    """``bench.bench_server`` in a subprocess: the fake providers and the resource API."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.bench_server"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        first = json.loads(self._stdout().readline())
        self.fake_origin: str = first["fake"]
        self.resource_url: str = first["resource"] + "/v1/resource"

    def _stdout(self) -> IO[str]:
        assert self._proc.stdout is not None
        return self._proc.stdout

    def base_url(self, provider: str) -> str:
        return f"{self.fake_origin}/{provider}"

    def command(self, line: str) -> dict[str, Any]:
        assert self._proc.stdin is not None
        self._proc.stdin.write(line + "\n")
        self._proc.stdin.flush()
        reply: dict[str, Any] = json.loads(self._stdout().readline())
        if "error" in reply:
            raise RuntimeError(f"bench server: {line}: {reply['error']}")
        return reply

    def count(self, provider: str) -> int:
        return int(self.command(f"count {provider}")["count"])

    def reset(self) -> None:
        self.command("reset")

    def delay(self, provider: str, seconds: float) -> None:
        self.command(f"delay {provider} {seconds}")

    def clear(self) -> None:
        self.command("clear")

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "versions": {
            p: version(p)
            for p in ("provider-tokens", "httpx", "httpcore", "authlib", "httpx-auth", "redis")
        },
    }
