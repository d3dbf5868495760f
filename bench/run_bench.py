"""`make bench`: the routing path side by side, propagation across servers, and scale."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from dataclasses import dataclass, field

from bench import harness as h
from bench.harness import DEFENDER_HOST, LEGACY_HOST, SERVICE_HOST, Server, Stack, say

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
FLIPS = int(os.environ.get("BENCH_FLIPS", "3"))
LARGE = tuple(
    int(n) for n in os.environ.get("BENCH_LARGE", "10000,100000,500000").split(",")
)  # tenants, users, sign-in sessions
# The parts to run, for a shorter run: BENCH_PARTS=propagation
PARTS = os.environ.get("BENCH_PARTS", "throughput,in-process,propagation").split(",")
CACHE_SECONDS = 5  # REDIRECTION_CACHE_SECONDS default, the embedded bound
POLL_TOLERANCE = 0.1

PAGE = "/preferences2/portal_redirection"
ADMIN_LIST = "/admin/accounts/signinsession/"
KEPT = "analyst@contoso.example"  # signs in before the switch is turned On
ROUTED = "operator@contoso.example"  # signs in after
ADMIN = "admin@contoso.example"
SUPPORT = "bench-support@defender.example"
PROPAGATION_ADMIN = "propagation-admin@contoso.example"
POLLERS = [f"poller{n}@contoso.example" for n in range(1, 5)]


@dataclass
class Case:
    label: str
    server: Server
    path: str
    host: str
    cookies: dict | None
    expect: int
    runs: list = field(default_factory=list)

    def measure(self, seconds: int = SECONDS) -> h.WrkResult:
        return h.wrk(
            self.server.port,
            self.path,
            self.host,
            self.cookies,
            seconds=seconds,
            connections=CONNECTIONS,
        )

    @property
    def rps(self) -> float:
        return statistics.median(run.rps for run in self.runs)

    def row(self) -> str:
        p50 = statistics.median(run.p50_ms for run in self.runs)
        p99 = statistics.median(run.p99_ms for run in self.runs)
        errors = sum(run.errors for run in self.runs)
        return f"| {self.label} | {self.rps:,.0f} | {p50:.1f} | {p99:.1f} | {errors} |"


def main() -> None:
    h.require_tools()
    quiet, load = h.machine_is_quiet()
    say(f"Machine load {load:.2f}" + ("" if quiet else " — NOT quiet: numbers will be noisy."))
    demo = Stack("portal_bench", cache_prefix="demo")
    large = Stack("portal_bench_large", cache_prefix="large")
    bare = Stack("portal_bench", cache_prefix="demo", settings="bench.settings_without_redirection")

    say("Preparing PostgreSQL databases (demo data, then a copy with bulk data)...")
    h.prepare(demo)
    h.recreate_database(large.database, template=demo.database)
    tenants, users, sessions = LARGE
    took = json.loads(large.task("large", str(tenants), str(users), str(sessions)))["seconds"]
    say(f"  bulk data: {tenants:,} tenants, {users:,} accounts, {sessions:,} sign-ins in {took} s")
    h.flush_redis()

    report = []
    if "throughput" in PARTS:
        with (
            Server(demo, "with-middleware") as a,
            Server(bare, "without-middleware") as b,
            Server(large, "large-data") as c,
        ):
            report += throughput(a, b, c, demo, large)
    if "in-process" in PARTS:
        report += in_process(demo, large)
    if "propagation" in PARTS:
        report += propagation(demo)
    say()
    say("\n".join(report))
    (h.WORK_DIR / "bench-report.md").write_text("\n".join(report) + "\n")
    say(f"\n(also written to {h.WORK_DIR / 'bench-report.md'})")


# ------------------------------------------------------------------ throughput and scale
def sessions_on(server: Server, stack: Stack) -> dict[str, dict]:
    """Real sign-ins: one kept (before On), one routed (after On), an admin, support staff."""
    cookies = {"kept": h.sign_in(server, LEGACY_HOST, KEPT)}
    cookies["admin"] = h.sign_in(server, DEFENDER_HOST, ADMIN)
    cookies["support"] = h.sign_in(server, DEFENDER_HOST, SUPPORT)
    switch = h.Switch(stack, server, cookies["admin"])
    switch.set(False)
    switch.set(True)
    switch.close()
    cookies["routed"] = h.sign_in(server, LEGACY_HOST, ROUTED)
    cookies["switch"] = switch.how
    return cookies


def throughput(a: Server, b: Server, c: Server, demo: Stack, large: Stack) -> list[str]:
    on_demo = sessions_on(a, demo)
    on_large = sessions_on(c, large)
    cases = [
        Case("1 legacy /timeline, kept session, with middleware", a, "/timeline", LEGACY_HOST,
             on_demo["kept"], 200),
        Case("2 same page, same session, without middleware", b, "/timeline", LEGACY_HOST,
             on_demo["kept"], 200),
        Case("3 routed legacy /timeline (302)", a, "/timeline", LEGACY_HOST, on_demo["routed"],
             302),
        Case("4 minimal Django view /bench/ping", a, "/bench/ping", SERVICE_HOST, None, 200),
        Case("5 Portal redirection page, admin", a, PAGE, DEFENDER_HOST, on_demo["admin"], 200),
        Case("admin sign-in session list, superuser", a, ADMIN_LIST, DEFENDER_HOST,
             on_demo["support"], 200),
        Case("3 routed legacy /timeline (302), large data", c, "/timeline", LEGACY_HOST,
             on_large["routed"], 302),
        Case("5 Portal redirection page, large data", c, PAGE, DEFENDER_HOST, on_large["admin"],
             200),
        Case("admin sign-in session list, large data", c, ADMIN_LIST, DEFENDER_HOST,
             on_large["support"], 200),
    ]  # fmt: skip
    missing = []
    for case in list(cases):
        status = case.server.get(case.path, case.host, case.cookies).status
        if status != case.expect:
            missing.append(f"{case.label}: answered {status}, expected {case.expect}")
            cases.remove(case)
        else:
            case.measure(seconds=1)  # warm-up: caches, connections, compiled templates
    total = len(cases) * REPEATS * SECONDS
    say(f"Throughput: {len(cases)} cases x {REPEATS} runs x {SECONDS} s, alternated (~{total} s)")
    for repeat in range(REPEATS):
        for case in cases:
            case.runs.append(case.measure())
        say(f"  run {repeat + 1}/{REPEATS} done")

    by_number = {case.label.split(" ", 1)[0]: case for case in cases[:5] if case.runs}
    lines = [
        f"## Throughput (gunicorn 2 workers, wrk {CONNECTIONS} connections x {SECONDS} s, "
        f"median of {REPEATS} alternated runs)",
        "",
        "| case | requests/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
        *(case.row() for case in cases),
        "",
    ]
    if "1" in by_number and "2" in by_number:
        ratio = by_number["1"].rps / max(by_number["2"].rps, 1e-9)
        lines.append(f"- row1/row2 = {ratio:.3f} (target ≥ 0.95): {verdict(ratio >= 0.95)}")
    if "3" in by_number and "4" in by_number:
        ratio = by_number["3"].rps / max(by_number["4"].rps, 1e-9)
        lines.append(f"- row3/row4 = {ratio:.3f} (target ≥ 0.6): {verdict(ratio >= 0.6)}")
    pairs = [(cases_named(cases, "3 routed"), "routed request"),
             (cases_named(cases, "5 Portal"), "Portal redirection page"),
             (cases_named(cases, "admin"), "admin session list")]  # fmt: skip
    lines += ["", f"## Scale: demo data vs {LARGE[0]:,} tenants / {LARGE[1]:,} accounts / "
              f"{LARGE[2]:,} sign-ins (requests/s, large ÷ demo; target ≥ 0.90)", ""]  # fmt: skip
    for (small, big), name in pairs:
        if small and big:
            ratio = big.rps / max(small.rps, 1e-9)
            lines.append(
                f"- {name}: {small.rps:,.0f} → {big.rps:,.0f} req/s, ratio {ratio:.3f}: "
                f"{verdict(ratio >= 0.90)}"
            )
    lines += [f"- switch changed through: {on_demo['switch']}"]
    lines += [f"- not measured: {text}" for text in missing]
    return [*lines, ""]


def cases_named(cases: list[Case], prefix: str) -> tuple[Case | None, Case | None]:
    found = [case for case in cases if case.label.startswith(prefix)]
    small = next((case for case in found if "large" not in case.label), None)
    big = next((case for case in found if "large" in case.label), None)
    return small, big


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# ------------------------------------------------------------------ in-process
def in_process(demo: Stack, large: Stack) -> list[str]:
    say("In-process: query counts, decision micro-benchmark, EXPLAIN on the large data...")
    counts = json.loads(demo.task("query-counts"))
    micro = json.loads(demo.task("micro"))
    plans = json.loads(large.task("explain"))
    lines = ["## Queries per request (warm cache, real sign-in, in-process test client)", ""]
    lines += ["| case | status | SQL queries |", "|---|---:|---:|"]
    lines += [f"| {name} | {page['status']} | {page['queries']} |" for name, page in counts.items()]
    one, two = counts.get("1 legacy page, middleware"), counts.get("2 legacy page, no middleware")
    if one and two:
        same = one["queries"] == two["queries"]
        lines.append(f"\n- rows 1 and 2 run the same number of queries: {verdict(same)}")
    lines += ["", "## The middleware's decision, in-process (µs per call, best of 5)", ""]
    lines += [f"- {name}: {value:.2f} µs" for name, value in micro.items()]
    lines += ["", "## Query plans on the large data (EXPLAIN (ANALYZE, BUFFERS))", ""]
    for name, page in plans.items():
        lines.append(f"### {name} (status {page['status']}, {page['queries']} queries)")
        lines.append("")
        for plan in page["plans"]:
            lines.append(f"- `{shorten(plan['sql'])}`")
            lines.append(f"  - {plan_summary(plan['plan'])}")
        lines.append("")
        lines.append("```")
        for plan in page["plans"]:
            lines += [shorten(plan["sql"], 300), *plan["plan"], ""]
        lines.append("```")
        lines.append("")
    return lines


def shorten(sql: str, limit: int = 140) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= limit else sql[: limit - 1] + "…"


def plan_summary(plan: list[str]) -> str:
    """Scan nodes (index or sequential) and the execution time of one plan."""
    nodes = []
    for line in plan:
        text = line.strip().removeprefix("->").strip()
        if "Scan" in text:
            nodes.append(text.split("  (")[0])
    timing = next((line for line in plan if line.startswith("Execution Time")), "")
    return "; ".join(nodes) + (f" — {timing}" if timing else "")


# ------------------------------------------------------------------ propagation
@dataclass
class Poll:
    started: float
    ended: float
    routed: bool
    status: int
    location: str


class Poller(threading.Thread):
    """Signs in afresh on a server's legacy portal and asks for /timeline, over and over."""

    def __init__(self, server: Server, email: str):
        super().__init__(daemon=True)
        self.server = server
        self.email = email
        self.polls: list[Poll] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        form = h.SignInForm(self.server.port, LEGACY_HOST)
        while not self.stopping.is_set():
            started = time.time()
            cookies = form.sign_in(self.email)
            answer = self.server.get("/timeline", LEGACY_HOST, cookies)
            routed = answer.status == 302 and answer.location.startswith(h.DEFENDER_URL)
            self.polls.append(Poll(started, time.time(), routed, answer.status, answer.location))
            time.sleep(0.02)

    def after(self, moment: float) -> list[Poll]:
        return [poll for poll in list(self.polls) if poll.started > moment]


def seen_by(poller: Poller, flip: h.Flip) -> tuple[float | None, float | None]:
    """(first answer in the new state, answer after which every answer was) in s after commit."""
    polls = poller.after(flip.committed)
    wanted = [poll.routed == flip.enabled for poll in polls]
    if not any(wanted):
        return None, None
    first = next(poll for poll, ok in zip(polls, wanted, strict=True) if ok)
    stale = [poll for poll, ok in zip(polls, wanted, strict=True) if not ok]
    settled = max([first.ended, *(poll.ended for poll in stale)])
    if os.environ.get("BENCH_DEBUG"):
        for poll in stale:
            say(f"  stale: {poll} commit={flip.committed:.3f}")
    return first.ended - flip.committed, settled - flip.committed


def wait_for_new_state(pollers: list[Poller], flip: h.Flip, bound: float) -> None:
    """Past the bound, and until every poller has answered twice in the new state.

    Polls are slow on a busy machine; a fixed wait would end before they saw anything.
    """
    time.sleep(bound + 0.5)
    deadline = time.time() + 30
    while time.time() < deadline:
        fresh = [
            sum(poll.routed == flip.enabled for poll in poller.after(flip.committed))
            for poller in pollers
        ]
        if min(fresh) >= 2:
            return
        time.sleep(0.1)


def propagation(demo: Stack) -> list[str]:
    lines = ["## Propagation: two servers (2 workers each) sharing PostgreSQL", ""]
    lines += ["Time from the switch's commit until a fresh sign-in on each server's legacy "
              "portal gets the new answer (first one; and the last stale one, i.e. every "
              "worker), polled every ~20 ms.", ""]  # fmt: skip
    modes = [
        ("Redis", Stack(demo.database, cache_prefix="prop", fast_signin=True), 1.0),
        (
            f"embedded default (local-memory cache per worker, "
            f"REDIRECTION_CACHE_SECONDS={CACHE_SECONDS})",
            Stack(demo.database, redis=False, fast_signin=True),
            float(CACHE_SECONDS),
        ),
    ]
    for mode, stack, bound in modes:
        say(f"Propagation with {mode}...")
        with (
            Server(stack, f"prop-{stack.cache_prefix}-1") as one,
            Server(stack, f"prop-{stack.cache_prefix}-2") as two,
        ):
            admin = h.sign_in(one, DEFENDER_HOST, PROPAGATION_ADMIN)
            switch = h.Switch(stack, one, admin)
            switch.set(False)
            pollers = [
                Poller(server, email)
                for server, email in zip((one, two, one, two), POLLERS, strict=True)
            ]
            for poller in pollers:
                poller.start()
            results = []
            for _ in range(FLIPS):
                for enabled in (True, False):
                    time.sleep(1.0)
                    flip = switch.set(enabled)
                    wait_for_new_state(pollers, flip, bound)
                    results.append((flip, [seen_by(poller, flip) for poller in pollers]))
            for poller in pollers:
                poller.stopping.set()
            for poller in pollers:
                poller.join(timeout=10)
            switch.close()
        lines += [f"### {mode} — switch through {switch.how}", ""]
        lines += [
            "| flip | server 1 first / every worker (s) | server 2 first / every worker (s) |"
        ]
        lines += ["|---|---|---|"]
        worst = 0.0
        for flip, seen in results:
            cells = []
            for server_polls in (seen[0::2], seen[1::2]):
                firsts = [first for first, _ in server_polls]
                settles = [settled for _, settled in server_polls]
                if None in firsts:
                    cells.append("not seen")
                    worst = float("inf")
                    continue
                first, settled = min(firsts), max(settles)
                worst = max(worst, settled)
                cells.append(f"{first:.3f} / {settled:.3f}")
            lines.append(f"| {'On' if flip.enabled else 'Off'} | {cells[0]} | {cells[1]} |")
        polls = sum(len(poller.polls) for poller in pollers)
        # A missed invalidation (Redis slower than its 0.5 s timeout) leaves the old state
        # until the cache entry expires: the servers log it, and the table shows it.
        faults = sum(
            (h.WORK_DIR / f"{server.name}.log").read_text().count("cache unreachable")
            for server in (one, two)
        )
        # Times end when the poll's answer arrived, so they include one poll (~20-50 ms).
        met = worst < bound if bound <= 1 else worst <= bound + POLL_TOLERANCE
        target = f"< {bound:.0f} s" if bound <= 1 else f"≤ {bound:.0f} s + one poll"
        lines += [
            "",
            f"- slowest (every worker of every server): {worst:.3f} s, target {target}:"
            f" {verdict(met)}; {polls} polls (each a fresh sign-in + one request);"
            f" 'cache unreachable' warnings in the servers' logs: {faults}",
            "",
        ]
    return lines


if __name__ == "__main__":
    main()
