"""The benchmarks `make bench` runs (benchmarks/run_all.py): for each, its commands (full and ``--quick``),
its time limit, and how its JSON result becomes summary rows (metric, p50/p95/p99, throughput, target).

Each benchmark keeps its own database (``lakay_bench_*``) and Redis prefix; a multi-step one (model
serving) skips the steps whose marker file says they already ran (history simulated, loaded, model trained).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")

Row = dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One command of a benchmark (most have one; model serving has simulate → load → train → measure)."""

    argv: list[str]
    skip_if_exists: Path | None = None  # a marker: the step already ran (built history, trained model…)
    touch: Path | None = None  # create this marker when the step succeeds
    env: dict[str, str] = field(default_factory=dict)
    stdout_json: Path | None = None  # the step prints its result as JSON on stdout: save it here


@dataclass(frozen=True)
class Benchmark:
    name: str
    aliases: tuple[str, ...]
    description: str
    steps: Callable[[bool], list[Step]]  # quick -> steps
    timeout: Callable[[bool], float]  # quick -> seconds for the whole benchmark
    summarise: Callable[[], list[Row]]
    needs_kafka: bool = False


def bench(*args: str) -> list[str]:
    return [PYTHON, str(ROOT / "benchmarks" / args[0]), *args[1:]]


def read_json(name: str) -> Any:
    path = VAR / name
    return json.loads(path.read_text()) if path.exists() else None


def row(benchmark: str, metric: str, **values: Any) -> Row:
    return {"benchmark": benchmark, "metric": metric, **values}


def verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    return "pass" if value <= limit else "miss"


# ------------------------------------------------------------------------------------------- score API
def score_api_steps(quick: bool) -> list[Step]:
    prefix = os.environ.get("REDIS_KEY_PREFIX", "bench")
    common = ["--database", "lakay_bench_score", "--redis-prefix", f"{prefix}-score", "--all-rates"]
    if quick:
        sizes = ["--users", "5000", "--transactions", "35000", "--logins", "15000", "--active-users", "2000"]
        return [
            Step(
                bench(
                    "score_api.py", *common, *sizes, "--rates", "50,200", "--step-seconds", "5", "--warmup-seconds", "3"
                )
            )
        ]
    return [Step(bench("score_api.py", *common, "--rates", "50,100,200,300,400,500", "--step-seconds", "20"))]


def score_api_rows() -> list[Row]:
    result = read_json("score_api.json")
    if not result:
        return []
    rows = []
    for step in result["steps"]:
        rate = step["offered_rate"]
        rows.append(
            row(
                "score_api",
                f"POST /api/v1/fraud/score @ {rate:.0f}/s",
                p50=step["p50_ms"],
                p95=step["p95_ms"],
                p99=step["p99_ms"],
                throughput=f"{step['achieved_rate']:.0f}/s ({100 * step['error_rate']:.2f} % err)",
                target="p95 ≤ 15 ms" if rate == 200 else "",
                verdict=verdict(step["p95_ms"], 15.0) if rate == 200 else "",
            )
        )
    rows.append(
        row(
            "score_api",
            "max sustained (< 1 % errors, ≥ 97 % of offered)",
            throughput=f"{result['max_sustained_scores_per_second']:.0f}/s",
        )
    )
    return rows


# ------------------------------------------------------------------------------------------- sessions
SESSION_TARGET_RATE = 100.0


def session_steps(quick: bool) -> list[Step]:
    prefix = os.environ.get("REDIS_KEY_PREFIX", "bench")
    common = ["--database", "lakay_bench_session_score", "--redis-prefix", f"{prefix}-session", "--skip-build"]
    if quick:
        sizes = ["--users", "5000", "--sessions", "50000", "--running", "1000"]
        return [
            Step(
                bench(
                    "session_score.py",
                    *common,
                    *sizes,
                    "--rates",
                    "25,50",
                    "--step-seconds",
                    "5",
                    "--warmup-seconds",
                    "3",
                )
            )
        ]
    return [Step(bench("session_score.py", *common, "--rates", "25,50,100,150", "--step-seconds", "20"))]


def session_rows() -> list[Row]:
    result = read_json("session_score.json")
    if not result:
        return []
    rows = []
    for step in result["steps"]:
        rate = step["offered_rate"]
        at_target = rate == SESSION_TARGET_RATE
        rows.append(
            row(
                "session",
                f"POST /api/v1/behavior/sessions/score @ {rate:.0f}/s",
                p50=step["p50_ms"],
                p95=step["p95_ms"],
                p99=step["p99_ms"],
                throughput=f"{step['achieved_rate']:.0f}/s ({100 * step['error_rate']:.2f} % err)",
                target=f"p95 < 100 ms @ {SESSION_TARGET_RATE:.0f}/s" if at_target else "",
                verdict=verdict(step["p95_ms"], 100.0) if at_target else "",
            )
        )
    rows.append(row("session", "max sustained", throughput=f"{result['max_sustained_per_second']:.0f}/s"))
    return rows


# ------------------------------------------------------------------------------------------- circles
def circle_steps(quick: bool) -> list[Step]:
    common = ["--database", "lakay_bench_circle_scoring", "--skip-build"]
    if quick:
        return [
            Step(
                bench(
                    "circle_scoring.py",
                    *common,
                    "--circles",
                    "1000",
                    "--samples",
                    "50",
                    "--sweep",
                    "200",
                    "--requests",
                    "100",
                    "--seconds",
                    "5",
                    "--events",
                    "1000",
                )
            )
        ]
    return [Step(bench("circle_scoring.py", *common))]


def circle_rows() -> list[Row]:
    result = read_json("circle_scoring.json")
    if not result:
        return []
    rows = []
    service = result.get("service", {})
    if service.get("n"):
        rows.append(row("circle", "circle_score() service", p50=service["p50"], p95=service["p95"], p99=service["p99"]))
    http = result.get("http", {})
    sequential = http.get("score_sequential")
    if sequential:
        rows.append(
            row(
                "circle",
                "POST /api/v1/circles/{id}/score, one client",
                p50=sequential["p50"],
                p95=sequential["p95"],
                p99=sequential["p99"],
                throughput=f"{sequential['errors']} err",
                target="p95 < 150 ms",
                verdict=verdict(sequential["p95"], 150.0),
            )
        )
    concurrent = http.get("score_concurrent")
    if concurrent:
        rows.append(
            row(
                "circle",
                f"POST …/score, {concurrent['clients']} clients",
                p50=concurrent["p50"],
                p95=concurrent["p95"],
                p99=concurrent["p99"],
                throughput=f"{concurrent['scores_per_second']:.0f}/s ({concurrent['errors']} err)",
                target="p95 < 150 ms",
                verdict=verdict(concurrent["p95"], 150.0),
            )
        )
    for name in ("health", "summary", "at_risk"):
        timings = http.get(f"get_{name}")
        if timings:
            rows.append(
                row("circle", f"GET {name}", p50=timings["p50"], p95=timings["p95"], p99=timings["p99"],
                    throughput=f"{timings['errors']} non-200 of {timings['n']}")
            )  # fmt: skip
    if result.get("sweep"):
        rows.append(row("circle", "scoring sweep", throughput=f"{result['sweep']['circles_per_second']:.0f} circles/s"))
    ingest = result.get("ingest")
    if ingest:
        rows.append(
            row("circle", "ingest of circle events: circles handlers / whole spine",
                throughput=f"{ingest['circles_handlers']['events_per_second']:.0f} / "
                f"{ingest['spine']['events_per_second']:.0f} events/s")
        )  # fmt: skip
    return rows


# ------------------------------------------------------------------------------------------- serving
def serving_steps(quick: bool) -> list[Step]:
    name = "serving-quick" if quick else "serving"
    work = VAR / name
    prefix = os.environ.get("REDIS_KEY_PREFIX", "bench")
    base = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    env = {
        "DATABASE_URL": f"{base}/lakay_bench_{name.replace('-', '_')}",
        "REDIS_KEY_PREFIX": f"{prefix}-{name}",
        "MLFLOW_TRACKING_URI": f"sqlite:///{work}/mlflow.db",
        "MLFLOW_ARTIFACT_ROOT": str(work / "artifacts"),
        "LAKAY_VAR_DIR": str(work),
    }
    users, days, rows, rounds = ("800", "14", "400", "1") if quick else ("4000", "30", "2000", "2")
    scenarios = [
        argument
        for scenario in (
            "fraud_account_takeover",
            "fraud_duplicate_payments",
            "fraud_impossible_travel",
            "fraud_structuring_10k",
            "fraud_structuring_3k",
            "fraud_velocity_burst",
        )
        for argument in ("--scenario", scenario)
    ]
    history = work / "history.jsonl"
    return [
        Step([PYTHON, str(ROOT / "benchmarks" / "run_all.py"), "_createdb", env["DATABASE_URL"]], env=env),
        Step([PYTHON, "manage.py", "migrate", "-v0"], env=env),
        Step(
            [
                PYTHON,
                "manage.py",
                "simulate",
                "--start",
                "2026-09-01",
                "--days",
                days,
                "--users",
                users,
                "--seed",
                "7",
                *scenarios,
                "--scenario-every",
                "1800",
                "--output",
                f"jsonl:{history}",
            ],
            skip_if_exists=history,
            env=env,
        ),
        Step(
            bench("serving_latency.py", "load", str(history)),
            skip_if_exists=work / "loaded",
            touch=work / "loaded",
            env=env,
        ),
        Step(bench("serving_latency.py", "train"), skip_if_exists=work / "trained", touch=work / "trained", env=env),
        Step(
            bench("serving_latency.py", "measure", "--rows", rows, "--rounds", rounds),
            env=env,
            stdout_json=VAR / "serving_latency.json",
        ),
    ]


def serving_rows() -> list[Row]:
    result = read_json("serving_latency.json")
    if not result:
        return []
    rows = []
    inplace = result.get("booster_inplace_predict")
    if inplace:
        rows.append(
            row(
                "serving",
                "bare booster inplace_predict",
                p50=inplace["p50_ms"],
                p95=inplace["p95_ms"],
                p99=inplace["p99_ms"],
                throughput=f"{inplace['per_second']:.0f}/s",
            )
        )
    default = result.get("model_score_default")
    if default:
        rows.append(
            row(
                "serving",
                "model_score() (default explanations)",
                p50=default["p50_ms"],
                p95=default["p95_ms"],
                p99=default["p99_ms"],
                throughput=f"{default['per_second']:.0f}/s",
            )
        )
    fraud = result.get("fraud_score_default")
    if fraud:
        adds = fraud["model_adds_p50_ms"]
        rows.append(
            row(
                "serving",
                "transaction_score() without model",
                p50=fraud["without_model"]["p50_ms"],
                p95=fraud["without_model"]["p95_ms"],
                p99=fraud["without_model"]["p99_ms"],
            )
        )
        rows.append(
            row(
                "serving",
                "transaction_score() with model",
                p50=fraud["with_model"]["p50_ms"],
                p95=fraud["with_model"]["p95_ms"],
                p99=fraud["with_model"]["p99_ms"],
            )
        )
        rows.append(
            row(
                "serving",
                f"model adds to a score (p50; CPU p50 {fraud['model_adds_cpu_p50_ms']} ms)",
                p50=adds,
                target="< 1 ms p50",
                verdict="pass" if adds < 1.0 else "miss",
            )
        )
    return rows


# ------------------------------------------------------------------------------------------- alerts
def alert_steps(quick: bool) -> list[Step]:
    prefix = os.environ.get("REDIS_KEY_PREFIX", "bench")
    common = ["--database", "lakay_bench_alert_latency", "--redis-prefix", f"{prefix}-alert"]
    if quick:
        return [Step(bench("alert_latency.py", *common, "--alerts", "10", "--background-rate", "0"))]
    return [Step(bench("alert_latency.py", *common, "--alerts", "60", "--background-rate", "5"))]


def alert_rows() -> list[Row]:
    result = read_json("alert_latency.json")
    if not result:
        return []
    background = result["parameters"]["background_rate"]
    return [
        row(
            "alert",
            f"Kafka event → analyst websocket ({result['alerts']} alerts, {background:g} events/s background)",
            p50=result["p50_ms"],
            p95=result["p95_ms"],
            p99=result["p99_ms"],
            throughput=f"{result['missed']} missed",
        )
    ]


# ------------------------------------------------------------------------------------------- others
def ingest_steps(quick: bool) -> list[Step]:
    if quick:
        return [
            Step(
                bench(
                    "ingest.py",
                    "--history",
                    "20000",
                    "--users",
                    "2000",
                    "--days",
                    "1",
                    "--fresh",
                    "5000",
                    "--latency-rate",
                    "200",
                    "--latency-seconds",
                    "10",
                )
            )
        ]
    return [Step(bench("ingest.py"))]


def ingest_rows() -> list[Row]:
    result = read_json("ingest-results.json")
    if not result:
        return []
    rows = []
    for phase in result["results"]:
        if "p50_ms" in phase:
            rows.append(
                row(
                    "ingest",
                    f"end to end, {phase['phase']}",
                    p50=phase["p50_ms"],
                    p95=phase["p95_ms"],
                    p99=phase["p99_ms"],
                )
            )
        else:
            rows.append(row("ingest", phase["phase"], throughput=f"{phase['events_per_second']:,}/s"))
    return rows


def compliance_steps(quick: bool) -> list[Step]:
    database = ["--database", "lakay_bench_compliance_perf"]
    if quick:
        return [
            Step(
                bench(
                    "compliance_throughput.py",
                    *database,
                    "--customers",
                    "5000",
                    "--movements",
                    "50000",
                    "--events",
                    "1000",
                )
            )
        ]
    return [Step(bench("compliance_throughput.py", *database))]


def compliance_rows() -> list[Row]:
    result = read_json("compliance_throughput.json")
    if not result:
        return []
    handler = result["handler_ms"]
    return [
        row(
            "compliance",
            f"handlers per event ({result['movements_total']:,} movements)",
            p50=handler["p50"],
            p95=handler["p95"],
            p99=handler["p99"],
            throughput=f"{result['events_per_second']:.0f} events/s",
        )
    ]


LAKE_LINE = re.compile(r"silver \+ gold rebuild of ([\d,]+) events: ([\d.]+)s wall, ([\d.]+) CPU-seconds")


def lake_steps(quick: bool) -> list[Step]:
    sizes = ["--events", "20000", "--users", "2000", "--days", "3"] if quick else []
    return [Step(bench("lake.py", *sizes))]


def lake_rows() -> list[Row]:
    log = VAR / "logs" / "lake.log"
    match = LAKE_LINE.search(log.read_text()) if log.exists() else None
    if not match:
        return []
    events, wall, cpu = match.groups()
    return [
        row(
            "lake",
            f"silver + gold rebuild of {events} events",
            throughput=f"{wall} s wall, {cpu} CPU-s",
            target="< 60 s (1M)",
        )
    ]


DETECTION = {
    "fraud_detection": ("fraud_detection.py", ["--users", "500", "--days", "7"]),
    "behavior_detection": ("behavior_detection.py", ["--users", "400", "--days", "7"]),
    "compliance_detection": ("compliance_detection.py", ["--users", "500", "--days", "7"]),
    "circle_detection": ("circle_detection.py", ["--users", "400", "--circles", "40", "--days", "60"]),
}


def detection_steps(name: str) -> Callable[[bool], list[Step]]:
    script, quick_sizes = DETECTION[name]

    def steps(quick: bool) -> list[Step]:
        listed = [Step(bench(script, *(quick_sizes if quick else [])))]
        if name == "circle_detection":
            listed.append(Step(bench("circle_calibration.py", "--variant", "reference")))
        return listed

    return steps


def detection_rows(name: str) -> Callable[[], list[Row]]:
    def rows() -> list[Row]:
        result = read_json(f"{name}.json")
        if not result:
            return []
        scenarios = result.get("scenarios") or {}
        return [row(name, f"detection quality: {len(scenarios)} scenarios (see var/bench/{name}.json)")]

    return rows


BENCHMARKS: list[Benchmark] = [
    Benchmark(
        "score_api",
        ("score",),
        "fraud score API load test (1M events history)",
        score_api_steps,
        lambda quick: 900 if quick else 3600,
        score_api_rows,
    ),
    Benchmark(
        "session",
        ("session_score", "sessions"),
        "session scoring API load test",
        session_steps,
        lambda quick: 900 if quick else 3600,
        session_rows,
    ),
    Benchmark(
        "circle",
        ("circle_scoring", "circles"),
        "circle scoring service, HTTP, sweep, ingest",
        circle_steps,
        lambda quick: 900 if quick else 3600,
        circle_rows,
    ),
    Benchmark(
        "serving",
        ("serving_latency", "model"),
        "what the fraud model adds to a score",
        serving_steps,
        lambda quick: 1200 if quick else 3600,
        serving_rows,
    ),
    Benchmark(
        "alert",
        ("alert_latency", "alerts"),
        "Kafka event → analyst websocket",
        alert_steps,
        lambda quick: 600 if quick else 1200,
        alert_rows,
        needs_kafka=True,
    ),
    Benchmark(
        "ingest",
        (),
        "Kafka → contracts → RawEvent → handlers (lead's benchmark)",
        ingest_steps,
        lambda quick: 1200 if quick else 10800,
        ingest_rows,
        needs_kafka=True,
    ),
    Benchmark(
        "compliance",
        ("compliance_throughput",),
        "compliance handlers per event",
        compliance_steps,
        lambda quick: 900 if quick else 3600,
        compliance_rows,
    ),
    Benchmark(
        "lake", (), "bronze write, silver + gold rebuild", lake_steps, lambda quick: 900 if quick else 3600, lake_rows
    ),
    *[
        Benchmark(
            name,
            (),
            f"{name.replace('_', ' ')} (labelled scenarios)",
            detection_steps(name),
            lambda quick: 900 if quick else 3600,
            detection_rows(name),
        )
        for name in DETECTION
    ],
]


RESULT_FILES = {
    "score_api": "score_api.json",
    "session": "session_score.json",
    "circle": "circle_scoring.json",
    "serving": "serving_latency.json",
    "alert": "alert_latency.json",
    "ingest": "ingest-results.json",
    "compliance": "compliance_throughput.json",
    "lake": "logs/lake.log",
    **{name: f"{name}.json" for name in DETECTION},
}
