"""`make bench`: the portals against a bare Django floor, page times, scale, propagation, load.

Every ratio divides two figures of the same run, measured alternately, so that a busy
machine slows both sides alike. Prints one table per target and writes them to
$TMPDIR/portal-bench/bench-report.md.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench import harness as h
from bench import run_load
from bench.harness import DEFENDER_URL, LEGACY_HOST, PROBE_HOST, Server, Stack, say, verdict

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
FLIPS = int(os.environ.get("BENCH_FLIPS", "3"))
LARGE = os.environ.get("BENCH_LARGE", "10000,50000,500000").split(",")
PARTS = os.environ.get("BENCH_PARTS", "throughput,pages,propagation,load").split(",")
CACHE_SECONDS = 5  # REDIRECTION_CACHE_SECONDS's default: the embedded default's bound
PAGE_MS = 10.0
MIDDLEWARE_US = 20.0
KEPT, ROUTED = "analyst@contoso.example", "operator@contoso.example"
POLLERS = ["reader@contoso.example", "secadmin@contoso.example", KEPT, ROUTED]
# (case, target ratio, floor case it is divided by)
RATIOS = [
    ("routed legacy request", 0.6, "bare 302"),
    ("signed-out request", 0.7, "bare 302"),
    ("kept-session legacy /timeline", 0.25, "bare 200"),
]


@dataclass
class Case:
    name: str
    server: Server
    path: str
    host: str
    cookie: str
    expect: int
    location: str = ""
    runs: list[h.WrkResult] = field(default_factory=list)
    side_by_side: list[float] = field(default_factory=list)  # ratios to the floor, run at once

    def measure(self, seconds: int = SECONDS) -> h.WrkResult:
        args = (self.path, self.host, self.cookie, self.expect, self.location, seconds)
        return h.wrk(self.server.port, *args)

    @property
    def rps(self) -> float:
        return statistics.median(run.rps for run in self.runs)


def main() -> None:
    h.require_tools()
    say(f"Machine load {os.getloadavg()[0]:.2f} (2 cores are shared with wrk and the servers)")
    embedded, postgres = Stack.embedded(h.DATABASE), Stack.postgres(h.DATABASE)
    large = Stack.postgres(f"{h.DATABASE}_large", h.LARGE_REDIS_URL)
    say("Preparing: static files, the demo data on SQLite and on PostgreSQL...")
    h.collect_static()
    for stack in (embedded, postgres):
        stack.prepare()
    report = Report(f"# make bench — {time.strftime('%Y-%m-%d %H:%M')}")
    figures: dict[str, dict] = {}
    if "throughput" in PARTS:
        with Server(None, "floor", "bench.floor.wsgi") as floor:
            for stack in (embedded, postgres):
                figures[stack.label] = throughput(floor, stack)
        report += ratio_tables(figures) + middleware_table(figures)
    if "pages" in PARTS:
        say(f"Scale: {LARGE[0]} tenants, {LARGE[1]} accounts, {LARGE[2]} sign-ins...")
        large.prepare()
        took = large.task("large", *LARGE)["seconds"]
        say(f"  bulk data written in {took} s; page times in-process on three deployments...")
        timed = {
            stack.label: stack.task("pages", figures.get(stack.label, {}).get("kept", ""))
            for stack in (embedded, postgres)
        }
        timed[f"{int(LARGE[0]):,} tenants, {int(LARGE[2]):,} sign-ins"] = large.task("pages")
        report += page_table(timed)
    if "propagation" in PARTS:
        report += propagation(postgres, 1.0, "< 1 s")
        report += propagation(embedded, CACHE_SECONDS + 0.1, f"≤ {CACHE_SECONDS} s + one poll")
    if "load" in PARTS:
        report += run_load.run(postgres, int(os.environ.get("LOAD_SECONDS", "30")))
    say(f"\n(written to {report.path})")


class Report(list):
    """The tables so far, printed and written out as each part ends (a later failure keeps them)."""

    path = h.WORK_DIR / "bench-report.md"

    def __init__(self, title: str):
        super().__init__([title, ""])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(title + "\n\n")

    def __iadd__(self, lines: list[str]) -> Report:
        self.extend(lines)
        say("\n" + "\n".join(lines))
        with self.path.open("a") as out:
            out.write("\n".join(lines) + "\n")
        return self


# ------------------------------------------------------------------ throughput
def signed_in(server: Server, stack: Stack) -> tuple[str, str, h.SignIns]:
    """A kept session (signed in while Off) and a routed one (signed in after On)."""
    sign_ins = h.SignIns(stack)
    switch = h.Switch(server, sign_ins)
    switch.set(False)
    kept = sign_ins.cookie(KEPT, LEGACY_HOST)
    switch.set(True)
    routed = sign_ins.cookie(ROUTED, LEGACY_HOST)
    if not stack.redis_url:
        time.sleep(CACHE_SECONDS + 0.5)  # every worker's local cache has the On by now
    return kept, routed, sign_ins


def throughput(floor: Server, stack: Stack) -> dict:
    say(f"Throughput on {stack.label}...")
    with Server(stack, f"portal-{stack.name}-{'pg' if stack.redis_url else 'sqlite'}") as server:
        kept, routed, sign_ins = signed_in(server, stack)
        cases = [
            Case("bare 302", floor, "/redirect", PROBE_HOST, "", 302),
            Case("bare 200", floor, "/page", PROBE_HOST, "", 200),
            Case("routed legacy request", server, "/timeline", LEGACY_HOST, routed, 302,
                 DEFENDER_URL),
            Case("signed-out request", server, "/timeline", LEGACY_HOST, "", 302),
            Case("kept-session legacy /timeline", server, "/timeline", LEGACY_HOST, kept, 200),
        ]  # fmt: skip
        for case in cases:
            case.measure(seconds=1)  # warm-up: templates, caches, connections
        for repeat in range(REPEATS):
            for case in cases:
                case.runs.append(case.measure())
            say(f"  run {repeat + 1}/{REPEATS}")
        by_name = {case.name: case for case in cases}
        for name, _target, floor_name in RATIOS:
            by_name[name].side_by_side = side_by_side(by_name[name], by_name[floor_name])
        in_process = stack.task("flows", routed, kept)
        middleware = stack.task("middleware", kept, routed)
        sign_ins.close()
    return {"cases": {case.name: case for case in cases}, "in-process": in_process,
            "middleware": middleware, "kept": kept}  # fmt: skip


def side_by_side(case: Case, floor: Case) -> list[float]:
    """The case and the floor loaded at the same moment: on a machine that other work keeps
    busy, both then share the same cores at the same time, and the ratio of their
    throughputs is the ratio of their costs however busy the machine is."""
    ratios = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(REPEATS):
            mine, bare = pool.submit(case.measure), pool.submit(floor.measure)
            ratios.append(mine.result().rps / max(bare.result().rps, 1e-9))
    return ratios


def ratio_tables(figures: dict[str, dict]) -> list[str]:
    lines = [
        f"gunicorn 2 sync workers (config/gunicorn.py) for both; wrk 16 connections, "
        f"{SECONDS} s x {REPEATS} alternated runs, medians. Floor: bench/floor (Django with "
        "SecurityMiddleware and CommonMiddleware only). The verdict is on the alternated "
        "runs; 'at once' is the median ratio of the case and the floor loaded together "
        f"({REPEATS} x {SECONDS} s), which a busy machine disturbs far less.",
        "",
    ]
    for name, target, floor_name in RATIOS:
        lines += [
            f"## {name} ≥ {target} x {floor_name}",
            "",
            "| back end | req/s | in-process p50 ms | floor req/s | ratio | at once | target "
            "| wrong | |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for label, found in figures.items():
            case, floor = found["cases"][name], found["cases"][floor_name]
            ratio = case.rps / max(floor.rps, 1e-9)
            wrong = sum(run.unexpected for run in case.runs)
            ms = found["in-process"][name][1]  # (status, wall, cpu)
            at_once = statistics.median(case.side_by_side) if case.side_by_side else 0.0
            lines.append(
                f"| {label} | {case.rps:,.0f} | {ms:.2f} | {floor.rps:,.0f} | {ratio:.2f} | "
                f"{at_once:.2f} | {target} | {wrong} | {verdict(ratio >= target and wrong == 0)} |"
            )
        lines.append("")
    return lines


def middleware_table(figures: dict[str, dict]) -> list[str]:
    if not figures:
        return []
    lines = [
        f"## The redirection middleware's own cost ≤ {MIDDLEWARE_US:.0f} µs on a warm local "
        "cache, one cache round trip on Redis",
        "",
        "| back end | session | µs per call | cache round trips | |",
        "|---|---|---:|---:|---|",
    ]
    for label, found in figures.items():
        for session, cost in found["middleware"].items():
            trips = cost["round_trips"]
            shown = "—" if trips is None else trips
            if session == "routed":
                # Not the target's case: this call builds the whole 302, which the routed
                # throughput ratio measures.
                judged = "(builds the answer)"
            else:
                judged = verdict(trips <= 1 if trips is not None else cost["us"] <= MIDDLEWARE_US)
            lines.append(f"| {label} | {session} | {cost['us']} | {shown} | {judged} |")
    return [*lines, ""]


def page_table(timed: dict[str, list]) -> list[str]:
    labels = list(timed)
    lines = [
        f"## Every page ≤ {PAGE_MS:.0f} ms p50 server time (in-process, Django's WSGI handler)",
        "",
        "Demo data on SQLite + local memory and on PostgreSQL + Redis; beside them the same "
        f"pages with {int(LARGE[0]):,} tenants / {int(LARGE[1]):,} accounts / "
        f"{int(LARGE[2]):,} sign-ins (PostgreSQL + Redis). p50 ms (status), and in brackets "
        "the p50 of the process's own CPU time: far below the first, the machine was busy.",
        "",
        f"| site | page | path | {' | '.join(labels)} | |",
        f"|---|---|---|{'---:|' * len(labels)}---|",
    ]
    rows: dict[tuple, list] = {}
    for label in labels:
        for site, name, path, status, ms, cpu in timed[label]:
            rows.setdefault((site, name, path), []).append((status, ms, cpu))
    for (site, name, path), found in rows.items():
        cells = " | ".join(f"{ms:.1f} ({status}) [{cpu:.1f}]" for status, ms, cpu in found)
        ok = all(ms <= PAGE_MS and status < 500 for status, ms, _ in found)
        lines.append(f"| {site} | {name} | `{path}` | {cells} | {verdict(ok)} |")
    return [*lines, ""]


# ------------------------------------------------------------------ propagation
class Poller(threading.Thread):
    """Signs in afresh on a server's legacy portal and asks for /timeline, over and over."""

    def __init__(self, server: Server, stack: Stack, email: str):
        super().__init__(daemon=True)
        self.server, self.sign_ins, self.email = server, h.SignIns(stack), email
        self.polls: list[tuple[float, float, bool]] = []  # sent, answered, routed
        self.failed = 0  # 5xx answers and broken connections
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            cookie = self.sign_ins.cookie(self.email, LEGACY_HOST)
            sent = time.time()
            try:
                answer = self.server.get("/timeline", LEGACY_HOST, cookie)
            except OSError:
                answer = h.Answer(0, "", b"")
            if answer.status in (200, 302):
                self.polls.append((sent, time.time(), answer.routed))
            else:
                self.failed += 1
            time.sleep(0.02)
        self.sign_ins.close()

    def answered_since(self, flip: h.Flip) -> int:
        return sum(routed == flip.enabled for sent, _, routed in list(self.polls)
                   if sent > flip.committed)  # fmt: skip

    def stale(self, flip: h.Flip) -> int:
        """Answers asked for after the commit that still followed the old state."""
        return sum(routed != flip.enabled for sent, _, routed in list(self.polls)
                   if sent > flip.committed)  # fmt: skip

    def settled(self, flip: h.Flip) -> float | None:
        """Seconds from the commit to the answer after which every answer was in the new state."""
        after = [poll for poll in list(self.polls) if poll[0] > flip.committed]
        if not after or after[-1][2] != flip.enabled:
            return None
        stale = [answered for _, answered, routed in after if routed != flip.enabled]
        first = next(answered for _, answered, routed in after if routed == flip.enabled)
        return max([first, *stale]) - flip.committed


def propagation(stack: Stack, bound: float, target: str) -> list[str]:
    say(f"Propagation on {stack.label}...")
    kind = "pg" if stack.redis_url else "sqlite"
    with Server(stack, f"prop-{kind}-1") as one, Server(stack, f"prop-{kind}-2") as two:
        sign_ins = h.SignIns(stack)
        switch = h.Switch(one, sign_ins)
        switch.set(False)
        pollers = [
            Poller(server, stack, email)
            for server, email in zip((one, two, one, two), POLLERS, strict=True)
        ]
        for poller in pollers:
            poller.start()
        # Every poller answering before the first flip, so that none of its start-up is
        # counted as propagation.
        deadline = time.time() + 60
        while time.time() < deadline and not all(poller.polls for poller in pollers):
            time.sleep(0.1)
        settled, stale = [], 0
        for _ in range(FLIPS):
            for enabled in (True, False):
                time.sleep(1.0)
                flip = switch.set(enabled)
                time.sleep(bound + 0.5)
                # Past the bound, until every poller has answered twice in the new state:
                # polls are slow on a busy machine, and a fixed wait would end before them.
                deadline = time.time() + 30
                while time.time() < deadline and any(
                    poller.answered_since(flip) < 2 for poller in pollers
                ):
                    time.sleep(0.1)
                times = [poller.settled(flip) for poller in pollers]
                stale += sum(poller.stale(flip) for poller in pollers)
                settled.append(max(times) if None not in times else float("inf"))
        for poller in pollers:
            poller.stopping.set()
            poller.join(timeout=10)
        sign_ins.close()
    worst = max(settled)
    polls = sum(len(poller.polls) for poller in pollers)
    failed = sum(poller.failed for poller in pollers)
    return [
        f"## Propagation on {stack.label} {target}",
        "",
        "Two servers (2 workers each) sharing the database; the switch flipped through the "
        "JSON API on server 1; four pollers (two per server) sign in afresh and ask for "
        f"/timeline every ~20 ms ({polls} polls; {failed} answered 5xx or broke; the switch "
        f"refused {len(switch.refused)} times and was asked again). Seconds from the commit "
        "until every answer was in the new state, per flip (On, Off, ...); these include one "
        f"poll's own time. Answers asked for after a commit that still followed the old "
        f"state: {stale}.",
        "",
        "| flips | slowest | target | |",
        "|---|---:|---:|---|",
        f"| {', '.join(f'{s:.2f}' for s in settled)} | {worst:.2f} s | {target} | "
        f"{verdict(worst < bound and failed == 0 and not switch.refused)} |",
        "",
    ]


if __name__ == "__main__":
    main()
