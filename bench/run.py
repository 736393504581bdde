"""`make bench`: build the deterministic dataset in PostgreSQL, measure every figure against a baseline of the
same run, print a table and write bench/results/latest.json.

    .venv/bin/python bench/run.py [--scale 1.0] [--only import,list_api] [--database-url postgres://…/funnel_bench]

The database named in --database-url is DROPPED and re-created (its name must contain "bench"). Redis must be
reachable at $REDIS_URL (default redis://127.0.0.1:6379/0): production settings cache and throttle there.
See bench/README.md for what each figure means and how a feature plugs its own figure in.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/funnel_bench"
RESULTS = ROOT / "bench" / "results"

# name → (module, title). Built-in figures live in bench/figures.py; the others are plug-ins: a feature ships
# bench/<module>.py with `run(ctx) -> dict` and its figure appears here; until then it reports "not available".
FIGURES: dict[str, tuple[str, str]] = {
    "list_api": ("bench.figures:list_api", "Lead list API vs a no-op authenticated endpoint"),
    "load_test": ("bench.figures:load_test", "Load test: lead list on gunicorn (2 workers)"),
    "conversion": ("bench.conversion:run", "Lead conversion"),
    "create_lead": ("bench.create_lead:run", "Create one lead through the API vs a plain INSERT behind the same auth"),
    "scoring": ("bench.scoring:run", "Rescore all leads vs one hand-written UPDATE"),
    "assignment": ("bench.assignment:run", "Assign 100,000 leads"),
    "dashboard": ("bench.dashboard:run", "Funnel dashboard vs hand-written SQL"),
    "activity": ("bench.activity:run", "Activity report vs hand-written SQL"),
    "nurture": ("bench.nurture:run", "Nurture: send 10,000 due steps"),
    "search": ("bench.search:run", "Global search vs an exact-email lookup and the lead detail API"),
    "sla": ("bench.sla:run", "Speed-to-lead report (selector, page, API) vs hand-written SQL"),
    "predictive": ("bench.predictive:run", "Train the conversion model and predict every open lead"),
    "forecast": ("bench.forecast:run", "Forecast report (selector, page, API) vs hand-written SQL"),
    "load_mixed": ("bench.load_mixed:figure", "Load test: mixed read/write on gunicorn (2 workers x 8 threads)"),
    # Last: it adds a million leads, which would change what the figures above measure.
    "import": ("bench.figures:import_csv", "CSV import vs plain COPY of the same file"),
}
NOT_AVAILABLE = "not available in this build"


class Context:
    """What a figure gets: the scale, the dataset's users and tokens, and helpers to time things."""

    def __init__(self, *, scale: float, database_url: str, redis_url: str, people: dict) -> None:
        self.scale = scale
        self.database_url = database_url
        self.redis_url = redis_url
        self.leads = people["counts"]["leads"]
        self.counts = people["counts"]
        self.admin = people["admin"]
        self.managers = people["managers"]
        self.reps = people["reps"]
        self.tokens = people["tokens"]
        self.work_dir = ROOT / "var" / "bench"
        self.work_dir.mkdir(parents=True, exist_ok=True)

    def scaled(self, full: int, *, minimum: int = 1) -> int:
        """`full` at scale 1.0, proportionally less (never under `minimum`) at smaller scales."""
        return max(minimum, int(full * self.scale))

    @staticmethod
    def timed(fn, *args, **kwargs) -> tuple[float, object]:
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        return time.perf_counter() - started, result


def row(label: str, value: float | None, unit: str, *, baseline: float | None = None, baseline_label: str = "",
        higher_is_better: bool = False) -> dict:  # fmt: skip
    """One line of the results table; `ratio` is value/baseline (how many baselines the figure costs)."""
    ratio = round(value / baseline, 3) if value is not None and baseline else None
    return {
        "label": label,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_label": baseline_label,
        "ratio": ratio,
        "higher_is_better": higher_is_better,
    }


def check_services(database_url: str, redis_url: str) -> str | None:
    """Return a plain sentence naming what is missing, or None when PostgreSQL and Redis answer."""
    import psycopg2
    import redis

    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql", "postgis"):
        return f"The benchmark needs PostgreSQL; --database-url is {parts.scheme}://…"
    try:
        psycopg2.connect(_maintenance_dsn(database_url), connect_timeout=3).close()
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({first}). Start it, or pass --database-url."
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {redis_url} ({exc.__class__.__name__}). Start it, or set REDIS_URL."
    return None


def _maintenance_dsn(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def database_exists(database_url: str) -> bool:
    import psycopg2

    connection = psycopg2.connect(_maintenance_dsn(database_url))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [urlsplit(database_url).path.lstrip("/")])
        found = cursor.fetchone() is not None
    connection.close()
    return found


def recreate_database(database_url: str) -> None:
    import psycopg2

    name = urlsplit(database_url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop {name!r}: the benchmark database's name must contain 'bench'.")
    connection = psycopg2.connect(_maintenance_dsn(database_url))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def machine() -> dict:
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpus": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def load_figure(target: str):
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, attr, None)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def print_table(results: dict) -> None:
    lines = [("figure", "value", "baseline", "ratio")]
    for name, figure in results["figures"].items():
        if figure["status"] != "ok":
            lines.append((f"{name}: {figure['title']}", figure["status"], "", ""))
            continue
        for r in figure["rows"]:
            value = "—" if r["value"] is None else f"{_number(r['value'])} {r['unit']}"
            baseline = f"{_number(r['baseline'])} {r['unit']} ({r['baseline_label']})" if r["baseline"] else ""
            lines.append((f"{name}: {r['label']}", value, baseline, f"{r['ratio']:.3g}x" if r["ratio"] else ""))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    for n, line in enumerate(lines):
        print("  ".join(cell.ljust(widths[i]) if i != 1 else cell.rjust(widths[i]) for i, cell in enumerate(line)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 leads, 100,000 opportunities")
    parser.add_argument("--only", default="", help=f"comma-separated figures among: {', '.join(FIGURES)}")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the dataset an earlier run left (migrated forward, new tokens) instead of re-creating it",
    )
    parser.add_argument("--load-seconds", type=float, default=None, help="load test length (default 60 x scale, ≥ 2)")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in only if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(unknown)}; choose among {', '.join(FIGURES)}")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    problem = check_services(args.database_url, redis_url)
    if problem:
        print(f"make bench needs PostgreSQL and Redis. {problem}", file=sys.stderr)
        return 2

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if args.load_seconds is not None:
        os.environ["BENCH_LOAD_SECONDS"] = str(args.load_seconds)
    started = time.perf_counter()
    name = urlsplit(args.database_url).path.lstrip("/")
    if not (args.reuse and database_exists(args.database_url)):
        print(f"Re-creating {name} and migrating …", flush=True)
        recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import dataset

    call_command("migrate", verbosity=0)
    leads, opportunities = max(100, int(1_000_000 * args.scale)), max(20, int(100_000 * args.scale))
    people = dataset.reuse() if args.reuse else None
    if people is not None:
        print(f"Reusing {name}: {people['counts']['leads']:,} leads (rollups rebuilt) …", flush=True)
        build_seconds, _ = Context.timed(call_command, "rebuild_rollups", verbosity=0)
    else:
        print(f"Building the dataset: {leads:,} leads, {opportunities:,} opportunities, 50 reps …", flush=True)
        build_seconds, people = Context.timed(dataset.build, leads=leads, opportunities=opportunities)
    ctx = Context(scale=args.scale, database_url=args.database_url, redis_url=redis_url, people=people)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "machine": machine() | {"postgresql": server_version},
        "dataset": people["counts"] | {"build_seconds": round(build_seconds, 1)},
        "figures": {},
    }
    for name, (target, title) in FIGURES.items():
        if only and name not in only:
            continue
        print(f"Measuring {name} …", flush=True)
        # Each figure on a fresh server process, as a web request or a task gets: one that just wrote a million
        # rows answers the same queries measurably slower (seen: +25 ms on the dashboard).
        connection.close()
        figure = {"title": title, "status": "ok", "rows": [], "details": {}}
        try:
            run = load_figure(target)
            if run is None:
                figure["status"] = NOT_AVAILABLE
            else:
                seconds, measured = Context.timed(run, ctx)
                figure["rows"], figure["details"] = measured.get("rows", []), measured.get("details", {})
                figure["seconds"] = round(seconds, 1)
        except Exception as exc:
            traceback.print_exc()
            figure["status"] = f"error: {exc.__class__.__name__}: {exc}"[:300]
        results["figures"][name] = figure
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print_table(results)
    print(f"\n{results['machine']['cpus']} CPUs, {results['machine']['memory']}, PostgreSQL {server_version}; "
          f"total {results['total_seconds']} s; written to {output}")  # fmt: skip
    return 1 if any(f["status"].startswith("error") for f in results["figures"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
