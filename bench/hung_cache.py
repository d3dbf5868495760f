"""Latency of a signed-in request while Redis hangs (a partition), with and without the circuit.

Three runs of the same server (gunicorn, 2 workers, production settings, PostgreSQL):
Redis healthy; Redis hung with the circuit turned off (REDIS_CIRCUIT_SECONDS=0: every cache
call waits out its timeout, as before the circuit); Redis hung with the circuit on (the
default). "Hung" is a local listener that accepts connections and never answers
(tests/redis_link.py). In each run, 5 clients, each with its own signed-in legacy session,
ask for /timeline one request after another for HUNG_SECONDS.

    make bench-hung-cache        # or: .venv/bin/python -m bench.hung_cache
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from dataclasses import dataclass

from bench.harness import (
    LEGACY_HOST,
    REDIS_URL,
    WORK_DIR,
    BenchError,
    Server,
    SignIns,
    Stack,
    require_tools,
    say,
)
from tests.redis_link import RedisLink

CLIENTS = 5
SECONDS = float(os.environ.get("HUNG_SECONDS", "20"))
PAGE = "/timeline"
# Five Contoso demo accounts; the switch stays Off, so each keeps the legacy portal.
ACCOUNTS = [
    "analyst@contoso.example",
    "reader@contoso.example",
    "operator@contoso.example",
    "secadmin@contoso.example",
    "admin@contoso.example",
]


@dataclass
class Run:
    name: str
    latencies: list[float]
    errors: int
    unanswered: int | None

    def row(self) -> str:
        ordered = sorted(self.latencies)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        waited = "—" if self.unanswered is None else f"{self.unanswered:,}"
        return (
            f"| {self.name} | {len(ordered):,} | {statistics.median(ordered) * 1000:,.0f} | "
            f"{p95 * 1000:,.0f} | {ordered[-1] * 1000:,.0f} | {self.errors} | {waited} |"
        )


def clients(server: Server, healthy: Stack) -> Run:
    # Signed in while Redis answers (as the browsers were before it hung).
    sign_ins = SignIns(healthy)
    sessions = [sign_ins.cookie(email, LEGACY_HOST) for email in ACCOUNTS[:CLIENTS]]
    sign_ins.close()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def browse(cookies: str) -> None:
        while time.monotonic() < stop_at:
            started = time.monotonic()
            answer = server.get(PAGE, LEGACY_HOST, cookies)
            took = time.monotonic() - started
            with lock:
                latencies.append(took)
                if answer.status != 200:
                    errors[0] += 1

    threads = [threading.Thread(target=browse, args=(cookies,)) for cookies in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Run("", latencies, errors[0], None)


def measure(stack: Stack, name: str, redis_url: str, circuit_seconds: str, link=None) -> Run:
    served = Stack(stack.name, stack.database_url, stack.redis_url)
    served.env_extra = {"REDIS_URL": redis_url, "REDIS_CIRCUIT_SECONDS": circuit_seconds}
    say(f"- {name} …")
    with Server(served, name.split(",")[0].replace(" ", "-")) as server:
        before = link.unanswered if link else 0
        run = clients(server, stack)
    run.name = name
    run.unanswered = (link.unanswered - before) if link else None
    return run


def main() -> None:
    require_tools()
    stack = Stack.postgres("portal_bench_hung")
    say("Preparing the database …")
    stack.prepare()
    runs = []
    with RedisLink() as black_hole:
        runs.append(measure(stack, "Redis healthy", REDIS_URL, "10"))
        runs.append(
            measure(stack, "Redis hung, no circuit (before)", black_hole.url(), "0", black_hole)
        )
        runs.append(
            measure(stack, "Redis hung, circuit (after)", black_hole.url(), "10", black_hole)
        )
    if any(run.errors for run in runs):
        raise BenchError("some answers were not 200; see the servers' logs in " + str(WORK_DIR))
    say()
    say(
        f"## Signed-in legacy {PAGE}, {CLIENTS} clients x {SECONDS:.0f} s, "
        "gunicorn 2 workers, socket timeout 0.5 s"
    )
    say()
    say("| Redis | requests | p50 ms | p95 ms | max ms | non-200 | calls that waited |")
    say("|---|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        say(run.row())


if __name__ == "__main__":
    main()
