"""Requests per second and latency of the platform's busiest pages, each against the ceiling a
minimal Flask app reaches on the same database and gunicorn settings.

    .venv/bin/python benchmarks/run.py --engine sqlite --duration 10
    .venv/bin/python benchmarks/run.py --engine postgresql --duration 10 --rounds 3
    .venv/bin/python benchmarks/run.py --pages lesson dashboard --duration 5

Builds a throwaway database (the course and synthetic editions of 1,000 and 10 participants),
logs people in, opens answered quiz attempts, counts each page's SQL statements, starts both
apps under gunicorn on free 127.0.0.1 ports and runs wrk against each page, the platform and
the reference taking turns, then prints a table and writes it as JSON. Everything it starts,
it stops. Needs wrk (Debian and Ubuntu: ``apt-get install wrk``; macOS: ``brew install wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import targets  # through workload, puts the project on the import path before lms loads
import workload
from reference_app import create_reference_app
from reference_app import prepare as prepare_reference

HERE = Path(__file__).resolve().parent
# page: (reference page, target ratio or None, most statements or None)
PAGES: dict[str, tuple[str, float | None, int | None]] = {
    "lesson": ("page", 0.6, 5),
    "dashboard": ("page", 0.5, None),
    "submit": ("write", 0.5, 8),
    "roster": ("table", None, None),
    "board": ("table", 0.4, None),
}
# Enough for the fastest machine measured so far (about 430 submissions a second on SQLite),
# with a little to spare: a run that runs out of attempts stops without results.
ATTEMPTS_PER_SECOND = 500
WARM_SECONDS = 2.0  # of requests to each page and reference before measuring
REFERENCE_PATHS = {"page": ("GET", "/page"), "write": ("POST", "/notes"),
                   "table": ("GET", "/table")}


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory and load, as the figures must be read against them."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {"cores": os.cpu_count(), "cpu": model or platform.processor(), "memory": memory,
            "python": platform.python_version(), "load_average": os.getloadavg()}


def run_wrk(base: str, lines: list[targets.Line], seconds: float, connections: int,
            folder: Path, cookie_name: str) -> dict[str, Any]:
    """One wrk run walking through ``lines``; its counts and latency percentiles."""
    requests_file = folder / "requests.tsv"
    requests_file.write_text("".join(f"{x.method}\t{x.path}\t{x.cookie}\t{x.body}\n"
                                     for x in lines))
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s",
               "-s", str(HERE / "walk.lua"), base, "--", str(requests_file), cookie_name]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(x for x in output.splitlines() if x.startswith("WRK-RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("WRK-RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = sum(r["duration_us"] for r in runs) / 1e6
    requests = sum(r["requests"] for r in runs)
    return {"rps": requests / seconds, "requests": requests,
            "p50_ms": statistics.median(r["p50_us"] for r in runs) / 1000,
            "p99_ms": statistics.median(r["p99_us"] for r in runs) / 1000,
            "errors": sum(r["status_errors"] + r["socket_errors"] for r in runs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="turns per page and app")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its settings)")
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--attempts", type=int,
                        help="open quiz attempts to prepare, one per submission (default: "
                             f"{ATTEMPTS_PER_SECOND} per second of submitting)")
    parser.add_argument("--db-prefix", default="lms_bench_")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES),
                        help="measure only these pages (default: all)")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--page-cache-mb", type=float,
                        help="LMS_PAGE_CACHE_MB for the platform (0: every page drawn anew)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk (Debian, Ubuntu) or brew install wrk (macOS)",
              file=sys.stderr)
        return 2
    started, host = datetime.now(UTC), machine()
    with workload.throwaway_database(args.engine, args.db_prefix) as (url, folder):
        env = workload.app_environment(url, folder)
        if args.page_cache_mb is not None:
            env["LMS_PAGE_CACHE_MB"] = str(args.page_cache_mb)
        print(f"Building the platform on {args.engine} …", flush=True)
        editions = workload.build_platform(env, [args.participants, 10])
        app = workload.platform_app(env)
        # Counting statements uses up one submission even when submissions are not measured.
        seconds = args.duration * args.rounds + min(WARM_SECONDS, args.duration)
        attempts = args.attempts or (int(ATTEMPTS_PER_SECOND * seconds)
                                     if "submit" in args.pages else 1)
        prepared = targets.prepare(app, (editions[0], editions[1]), attempts)
        statements = targets.count_statements(app, prepared)
        reference = create_reference_app({"SQLALCHEMY_DATABASE_URI": app.config[
            "SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": env["SECRET_KEY"]})
        reference_cookie = prepare_reference(reference)
        with app.app_context():
            from lms.extensions import db

            db.engine.dispose()
        results = measure(args, env, folder, prepared, reference_cookie,
                          app.config["SESSION_COOKIE_NAME"])
    report = {"date": started.isoformat(timespec="seconds"), "engine": args.engine,
              "machine": {**host, "load_average_at_end": os.getloadavg()},
              "duration_s": args.duration, "rounds": args.rounds,
              "connections": args.connections, "participants": args.participants,
              "page_cache_mb": env.get("LMS_PAGE_CACHE_MB", "default"),
              "statements": statements, "pages": results}
    print_table(report)
    # A run of some pages only must not overwrite the full table.
    suffix = "" if set(args.pages) == set(PAGES) else "-" + "-".join(args.pages)
    if args.page_cache_mb is not None:
        suffix += f"-cache-{args.page_cache_mb:g}"
    path = args.json or HERE / "results" / f"{args.engine}{suffix}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Written to {path}")
    return 0 if all(p["errors"] == 0 and p["reference"]["errors"] == 0
                    for p in results.values()) else 1


def measure(args: argparse.Namespace, env: dict[str, str], folder: Path,
            prepared: targets.Prepared, reference_cookie: str,
            cookie_name: str) -> dict[str, Any]:
    """Both apps served, each page and its reference in turn, ``rounds`` times."""
    pages = {name: PAGES[name] for name in PAGES if name in args.pages}
    servers = []
    try:
        platform_server, platform_base = workload.start_gunicorn(env, "wsgi:app",
                                                        folder / "platform.log", args.workers)
        servers.append(platform_server)
        reference_server, reference_base = workload.start_gunicorn(env, "reference_app:app",
                                                          folder / "reference.log", args.workers)
        servers.append(reference_server)
        reference_lines = {kind: [targets.Line(method, path, reference_cookie,
                                               "body=note" if method == "POST" else "")]
                           for kind, (method, path) in REFERENCE_PATHS.items()}
        warm = min(WARM_SECONDS, args.duration)
        for name in pages:
            if name == "submit":
                # Warmed like the reference's write, with submissions of their own.
                _use_submissions(prepared, run_wrk(platform_base, prepared.submissions, warm,
                                                   args.connections, folder, cookie_name),
                                 args.connections)
            else:
                run_wrk(platform_base, prepared.lines(name), warm, args.connections, folder,
                        cookie_name)
        for kind in {kind for kind, _target, _most in pages.values()}:
            run_wrk(reference_base, reference_lines[kind], warm, args.connections, folder,
                    "session")
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in pages}
        reference_runs: dict[str, list[dict[str, Any]]] = {name: [] for name in pages}
        for round_number in range(args.rounds):
            for name, (kind, _target, _most) in pages.items():
                lines = prepared.submissions if name == "submit" else prepared.lines(name)
                result = run_wrk(platform_base, lines, args.duration, args.connections,
                                 folder, cookie_name)
                if name == "submit":
                    _use_submissions(prepared, result, args.connections)
                runs[name].append(result)
                reference_runs[name].append(run_wrk(reference_base, reference_lines[kind],
                                                    args.duration, args.connections, folder,
                                                    "session"))
                print(f"round {round_number + 1} {name}: {result['rps']:.0f} req/s "
                      f"(reference {reference_runs[name][-1]['rps']:.0f})", flush=True)
    finally:
        for server in servers:
            workload.stop(server)
    results = {}
    for name, (kind, target, most) in pages.items():
        page, ceiling = summarise(runs[name]), summarise(reference_runs[name])
        page.update(reference=ceiling, reference_page=kind, target_ratio=target,
                    most_statements=most, ratio=page["rps"] / ceiling["rps"],
                    # Each round's pair on its own: a round that differs from the others
                    # points to something outside the pages (a worker being replaced).
                    rounds=[{"rps": run["rps"], "reference_rps": ref["rps"],
                             "ratio": run["rps"] / ref["rps"]}
                            for run, ref in zip(runs[name], reference_runs[name], strict=True)])
        results[name] = page
    return results


def _use_submissions(prepared: targets.Prepared, result: dict[str, Any],
                     connections: int) -> None:
    """Drop the submissions a wrk run sent, so that none is posted twice."""
    if result["requests"] + connections > len(prepared.submissions):
        raise SystemExit("the prepared quiz attempts ran out: raise --attempts")
    # In-flight requests at the end may have used an attempt too.
    del prepared.submissions[:result["requests"] + connections]


def verdict(name: str, page: dict[str, Any], statements: dict[str, Any]) -> str:
    checks = []
    if page["target_ratio"] is not None:
        checks.append(page["ratio"] >= page["target_ratio"])
    if page["most_statements"] is not None:
        checks.append(max(statements[name]["statements"], statements[name].get("drawn", 0))
                      <= page["most_statements"])
    if name == "submit":
        checks.append(statements[name]["transactions"] == 1)
    if name == "board":
        checks.append(statements["board"]["statements"] ==
                      statements["board_small"]["statements"])
    if page["errors"]:
        checks.append(False)
    if not checks:
        return "reported"
    return "pass" if all(checks) else "FAIL"


def print_table(report: dict[str, Any]) -> None:
    info = report["machine"]
    print(f"\n{report['date']} · {report['engine']} · {info['cores']} cores · {info['cpu']} · "
          f"{info['memory']} · load {info['load_average'][0]:.1f} at the start, "
          f"{info['load_average_at_end'][0]:.1f} at the end")
    print(f"{report['rounds']} × {report['duration_s']:g} s per page and app, "
          f"{report['connections']} connections")
    header = ("page", "req/s", "p50 ms", "p99 ms", "ref", "ref req/s", "ref p50", "ref p99",
              "ratio", "target", "SQL", "result")
    print(" | ".join(header))
    statements = report["statements"]
    for name, page in report["pages"].items():
        ref = page["reference"]
        sql = str(statements[name]["statements"])
        drawn = statements[name].get("drawn")
        if drawn is not None and drawn != statements[name]["statements"]:
            sql += f" (drawn: {drawn})"
        if name == "board":
            sql += f" (10: {statements['board_small']['statements']})"
        if name == "submit":
            sql += f" in {statements[name]['transactions']} transaction(s)"
        target = f"≥ {page['target_ratio']}" if page["target_ratio"] else "-"
        if page["most_statements"]:
            target += f", ≤ {page['most_statements']} SQL"
        print(" | ".join((name, f"{page['rps']:.0f}", f"{page['p50_ms']:.1f}",
                          f"{page['p99_ms']:.1f}", page["reference_page"], f"{ref['rps']:.0f}",
                          f"{ref['p50_ms']:.1f}", f"{ref['p99_ms']:.1f}",
                          _ratio_text(page), target, sql,
                          verdict(name, page, statements))))


def _ratio_text(page: dict[str, Any]) -> str:
    """The ratio over all rounds, then each round's when there were several."""
    rounds = page.get("rounds") or []
    if len(rounds) < 2:
        return f"{page['ratio']:.2f}"
    each = ", ".join(f"{r['ratio']:.2f}" for r in rounds)
    return f"{page['ratio']:.2f} ({each})"


if __name__ == "__main__":
    sys.exit(main())
