"""`make load`: 60 s of mixed traffic on both portals while the switch flips every few seconds.

Checks every answer against the rule: a session signed in before an Off→On is never routed;
one signed in after it is routed while that On lasts; Defender pages always answer 200.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import harness as h
from bench.harness import DEFENDER_HOST, LEGACY_HOST, Server, Stack, say

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "64"))
FLIP_EVERY = float(os.environ.get("LOAD_FLIP_SECONDS", "5"))
CACHE_SECONDS = 5  # REDIRECTION_CACHE_SECONDS: the bound on a missed invalidation
KEPT = ["analyst@contoso.example", "reader@contoso.example"]
DEFENDER = ["admin@contoso.example", "secadmin@contoso.example"]
ROUTED = "operator@contoso.example"
DEFENDER_PAGES = ["/", "/alerts", "/incidents", "/identities"]
LEGACY_PAGES = ["/timeline", "/"]


@dataclass(frozen=True)
class Answer:
    sent: float
    received: float
    tag: str
    status: int
    location: str


def main() -> None:
    h.require_tools()
    stack = Stack.postgres(f"{h.DATABASE}_load")
    say("Preparing the load database...")
    h.collect_static()
    stack.prepare()
    report = run(stack, SECONDS)
    say()
    say("\n".join(report))
    (h.WORK_DIR / "load-report.md").write_text("\n".join(report) + "\n")
    if any("missed" in line for line in report):
        raise SystemExit(1)


def run(stack: Stack, seconds: int) -> list[str]:
    """Mixed traffic for ``seconds`` while the switch flips; the judged answers, as a report."""
    work = h.WORK_DIR / "load"
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("thread-*.log"):
        old.unlink()
    sessions_file = work / "sessions.tsv"
    with Server(stack, "load") as server:
        sign_ins = h.SignIns(stack)
        switch = h.Switch(server, sign_ins)
        flips: list[h.Flip] = []
        switch.set(False)
        lines, routed_after = [], {}
        for n, email in enumerate(KEPT):
            cookie = sign_ins.cookie(email, LEGACY_HOST)
            lines += entries(f"kept-{n}", LEGACY_HOST, LEGACY_PAGES, cookie)
        for n, email in enumerate(DEFENDER):
            cookie = sign_ins.cookie(email, DEFENDER_HOST)
            lines += entries(f"defender-{n}", DEFENDER_HOST, DEFENDER_PAGES, cookie)
        sessions_file.write_text("".join(lines))
        rss_start = {pid: h.rss_kib(pid) for pid in server.worker_pids()}
        stop = threading.Event()

        def flipper() -> None:
            enabled = False
            while not stop.wait(FLIP_EVERY):
                enabled = not enabled
                flips.append(switch.set(enabled))
                if enabled:
                    # A session signed in after this On: routed until the next Off.
                    tag = f"routed-{len(flips) - 1}"
                    routed_after[tag] = len(flips) - 1
                    cookie = sign_ins.cookie(ROUTED, LEGACY_HOST)
                    with sessions_file.open("a") as out:
                        out.write("".join(entries(tag, LEGACY_HOST, LEGACY_PAGES, cookie)))

        say(f"Load: wrk {CONNECTIONS} connections for {seconds} s, switch flipped every "
            f"{FLIP_EVERY:.0f} s...")  # fmt: skip
        thread = threading.Thread(target=flipper, daemon=True)
        thread.start()
        done = subprocess.run(
            [
                "wrk",
                f"--threads={CONNECTIONS}",
                f"--connections={CONNECTIONS}",
                f"--duration={seconds}s",
                "--timeout=10s",
                f"--script={h.BASE_DIR / 'bench' / 'lua' / 'load.lua'}",
                f"http://127.0.0.1:{server.port}/",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "LOAD_SESSIONS": str(sessions_file), "LOAD_LOG_DIR": str(work)},
            check=True,
        )
        stop.set()
        thread.join(timeout=30)
        rss_end = {pid: h.rss_kib(pid) for pid in server.worker_pids()}
        sign_ins.close()
    return judge(read_answers(work), flips, routed_after, seconds, done.stdout, rss_start, rss_end)


def entries(tag: str, host: str, pages: list[str], cookie: str) -> list[str]:
    return [f"{tag}\t{host}\t{page}\t{cookie}\n" for page in pages]


def read_answers(work: Path) -> list[Answer]:
    answers = []
    for log in work.glob("thread-*.log"):
        for line in log.read_text().splitlines():
            sent, received, tag, status, location = [*line.split("\t"), ""][:5]
            answers.append(Answer(float(sent), float(received), tag, int(status), location))
    return answers


def state_at(flips: list[h.Flip], moment: float) -> int | None:
    """Index of the flip in effect at ``moment``, -1 before any, None while one is committing."""
    current = -1
    for index, flip in enumerate(flips):
        if flip.started <= moment <= flip.committed:
            return None
        if flip.committed < moment:
            current = index
    return current


def judge(answers, flips, routed_after, seconds, wrk_output, rss_start, rss_end) -> list[str]:
    counts = Counter()
    for answer in answers:
        counts["answers"] += 1
        if answer.status >= 500 or answer.status == 0:
            counts["5xx"] += 1
            continue
        to_defender = h.Answer(answer.status, answer.location, b"").routed
        kind = answer.tag.split("-", 1)[0]
        if kind == "defender":
            counts["defender ok" if answer.status == 200 else "defender WRONG"] += 1
        elif kind == "kept":
            # Signed in before any On: never routed, whatever the flips and caches do.
            counts["kept WRONG (routed)" if to_defender else "kept ok"] += 1
        else:
            first, last = state_at(flips, answer.sent), state_at(flips, answer.received)
            if first is None or last is None or first != last:
                counts["routed: answered while a flip committed (either is right)"] += 1
                continue
            expected = first == routed_after[answer.tag]  # routed only during the On it followed
            if to_defender == expected:
                counts["routed ok"] += 1
            elif answer.sent - flips[first].committed <= CACHE_SECONDS:
                counts["routed late (within REDIRECTION_CACHE_SECONDS of a flip)"] += 1
            else:
                counts["routed WRONG"] += 1
    wrong = sum(value for key, value in counts.items() if "WRONG" in key)
    lines = [
        f"## Load: {seconds} s, {CONNECTIONS} connections, gunicorn 2 workers, "
        f"{len(flips)} flips (every {FLIP_EVERY:.0f} s)",
        "",
        f"- answers: {counts['answers']:,} ({counts['answers'] / seconds:,.0f}/s)",
        f"- 5xx or socket errors: {counts['5xx']}: {h.verdict(counts['5xx'] == 0)}",
        f"- answers on the wrong portal for their session: {wrong}: {h.verdict(wrong == 0)}",
        "",
        "| check | answers |",
        "|---|---:|",
        *(f"| {key} | {value:,} |" for key, value in sorted(counts.items()) if key != "answers"),
        "",
        "Worker memory (RSS, KiB): start → end",
        "",
    ]
    for pid in rss_start:
        end = rss_end.get(pid)
        grow = f"{(end - rss_start[pid]) / rss_start[pid]:+.1%}" if end else "worker gone"
        lines.append(f"- worker {pid}: {rss_start[pid]:,} → {end or 0:,} ({grow})")
    socket_errors = [line for line in wrk_output.splitlines() if "Socket errors" in line]
    lines += ["", *(f"- wrk: {line.strip()}" for line in socket_errors)]
    return lines


if __name__ == "__main__":
    main()
