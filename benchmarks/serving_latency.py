"""Model-serving latency: what the fraud model adds to a score (figures in docs/performance.md, "Model serving").

Run against a database of your own (never the shared dev database), e.g.:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/lakay_bench_serving REDIS_KEY_PREFIX=bench-serving \
        MLFLOW_TRACKING_URI=sqlite:///$PWD/var/bench/serving/mlflow.db \
        MLFLOW_ARTIFACT_ROOT=$PWD/var/bench/serving/artifacts LAKAY_VAR_DIR=$PWD/var/bench/serving
    createdb lakay_bench_serving && .venv/bin/python manage.py migrate
    .venv/bin/python manage.py simulate --start 2026-09-01 --days 30 --users 4000 --seed 7 \
        --scenario fraud_account_takeover --scenario fraud_duplicate_payments --scenario fraud_impossible_travel \
        --scenario fraud_structuring_10k --scenario fraud_structuring_3k --scenario fraud_velocity_burst \
        --scenario-every 1800 --output jsonl:var/bench/serving/history.jsonl
    .venv/bin/python benchmarks/serving_latency.py load var/bench/serving/history.jsonl
    .venv/bin/python benchmarks/serving_latency.py train
    .venv/bin/python benchmarks/serving_latency.py measure --rows 2000

``load`` feeds the fraud projections through the fraud handlers (transactions are scored, rules only);
``train`` runs ``train_fraud_model`` on the simulator's labels and promotes the version to champion;
``measure`` times (1) the bare booster, (2) ``model_score`` per contribution method, (3) the fraud app's
``transaction_score`` with and without the model, on the same transactions (each pass rolled back).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lakay.settings")
os.environ.setdefault("SERVING_RUNTIME_MODE", "inline")
os.environ.setdefault("SERVING_FLUSH_SECONDS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils.dateparse import parse_datetime  # noqa: E402

FRAUD_EVENTS = ("transaction-initiated", "login-success", "session-started", "circle-member-joined")


def percentiles(samples: list[float], cpu: list[float] | None = None) -> dict[str, float]:
    """Wall-clock percentiles (ms) and, when given, CPU time of the calling thread (ms): on a shared,
    busy machine the CPU time shows the work itself, the wall clock also shows the waiting."""
    values = np.asarray(samples) * 1000.0
    result = {
        "p50_ms": round(float(np.percentile(values, 50)), 3),
        "p95_ms": round(float(np.percentile(values, 95)), 3),
        "p99_ms": round(float(np.percentile(values, 99)), 3),
        "per_second": round(len(values) / (values.sum() / 1000.0), 1),
        "n": len(values),
    }
    if cpu is not None:
        cpu_values = np.asarray(cpu) * 1000.0
        result.update(
            cpu_p50_ms=round(float(np.percentile(cpu_values, 50)), 3),
            cpu_p95_ms=round(float(np.percentile(cpu_values, 95)), 3),
        )
    return result


def timed(fn, items) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Warm up on the first 200 items, then time every item (wall clock and thread CPU)."""
    for item in items[:200]:
        fn(item)
    wall: list[float] = []
    cpu: list[float] = []
    for item in items:
        begin, begin_cpu = time.perf_counter(), time.thread_time()
        fn(item)
        cpu.append(time.thread_time() - begin_cpu)
        wall.append(time.perf_counter() - begin)
    return percentiles(wall, cpu)


def load(path: str, batch: int) -> None:
    from apps.fraud import handlers
    from apps.pipeline.spine.events import Event

    chosen = {
        "transaction-initiated": handlers.handle_transaction_initiated,
        "login-success": handlers.handle_login,
        "session-started": handlers.handle_login,
        "circle-member-joined": handlers.handle_circle_member_joined,
    }
    started = time.perf_counter()
    pending: list[Event] = []
    handled = 0

    def flush() -> None:
        nonlocal handled
        with transaction.atomic():
            for event in pending:
                with transaction.atomic():
                    chosen[event.event_type](event)
        handled += len(pending)
        pending.clear()
        print(f"\r{handled:,} fraud events handled ({handled / (time.perf_counter() - started):,.0f}/s)", end="")

    with open(path) as lines:
        for line in lines:
            envelope = json.loads(line)
            if envelope["event_type"] not in chosen:
                continue
            occurred_at = parse_datetime(envelope["timestamp"].replace("Z", "+00:00"))
            assert occurred_at is not None
            pending.append(Event.from_envelope(envelope, occurred_at=occurred_at, topic="bench"))
            if len(pending) >= batch:
                flush()
    if pending:
        flush()
    print(f"\nloaded in {time.perf_counter() - started:.0f} s")


def train() -> None:
    call_command(
        "train_fraud_model",
        "--labels",
        "simulator",
        "--promote-to",
        "champion",
        "--reason",
        "benchmark model (simulator labels)",
        "--actor",
        "benchmark",
    )


def in_fraud_score(transactions: list, rounds: int, *, tag: str) -> dict[str, object]:
    """``transaction_score`` with and without the model on copies of the same transactions (rolled back)."""
    from apps.fraud.features.history import facts_of
    from apps.fraud.services import scoring as fraud_scoring

    unwrapped = fraud_scoring.model_score
    inside: list[float] = []
    inside_cpu: list[float] = []

    def measured(**kwargs):  # type: ignore[no-untyped-def]
        begin, begin_cpu = time.perf_counter(), time.thread_time()
        try:
            return unwrapped(**kwargs)
        finally:
            inside_cpu.append(time.thread_time() - begin_cpu)
            inside.append(time.perf_counter() - begin)

    wall: dict[str, list[float]] = {"without": [], "with": []}
    cpu: dict[str, list[float]] = {"without": [], "with": []}
    try:
        for round_number in range(rounds):
            with transaction.atomic():
                for index, stored in enumerate(transactions):
                    # Alternate which arm goes first; copies 11 and 22 minutes after the original stay out of
                    # the duplicate-payment window (10 min) of each other and of the original.
                    order = ("without", "with") if index % 2 == 0 else ("with", "without")
                    for position, arm in enumerate(order, start=1):
                        fraud_scoring.model_score = measured if arm == "with" else (lambda **kwargs: None)
                        facts = replace(
                            facts_of(stored),
                            transaction_id=f"bench_{tag}_{round_number}_{arm}_{index}_{uuid.uuid4().hex[:6]}",
                            occurred_at=stored.occurred_at + timedelta(minutes=11 * position),
                        )
                        begin, begin_cpu = time.perf_counter(), time.thread_time()
                        fraud_scoring.transaction_score(facts=facts, event_id=uuid.uuid4(), correlation_id=None)
                        if index >= 100:  # warm-up
                            cpu[arm].append(time.thread_time() - begin_cpu)
                            wall[arm].append(time.perf_counter() - begin)
                transaction.set_rollback(True)
    finally:
        fraud_scoring.model_score = unwrapped
    without = percentiles(wall["without"], cpu["without"])
    with_model = percentiles(wall["with"], cpu["with"])
    return {
        "without_model": without,
        "with_model": with_model,
        "model_score_inside": percentiles(inside[100:], inside_cpu[100:]),
        "model_adds_p50_ms": round(with_model["p50_ms"] - without["p50_ms"], 3),
        "model_adds_cpu_p50_ms": round(with_model["cpu_p50_ms"] - without["cpu_p50_ms"], 3),
    }


def measure(rows: int, rounds: int) -> dict[str, object]:
    import xgboost

    from apps.fraud.features import FEATURE_NAMES, point_in_time_features
    from apps.fraud.features.history import facts_of
    from apps.fraud.models import FraudTransaction
    from apps.serving.config import threshold_set
    from apps.serving.runtime.process import runtime
    from apps.serving.scoring import model_score

    state = runtime().loader.refresh(force=True)
    champion = state.champion
    if champion is None:
        raise SystemExit(f"no champion: {state.load_error} (run `train` first)")
    transactions = list(FraudTransaction.objects.order_by("-occurred_at")[:rows])
    features = [point_in_time_features(facts_of(t)) for t in transactions]
    matrix = np.array([[np.nan if f[n] is None else f[n] for n in FEATURE_NAMES] for f in features], dtype=np.float32)
    booster = champion.booster
    result: dict[str, object] = {
        "load_average_at_start": os.getloadavg()[0],
        "model": f"{champion.model_name} v{champion.version}",
        "trees": booster.num_boosted_rounds(),
        "features": len(FEATURE_NAMES),
        "rows": len(transactions),
    }

    names = list(FEATURE_NAMES)
    result["booster_inplace_predict"] = timed(lambda r: booster.inplace_predict(r[None, :]), list(matrix))
    result["booster_pred_contribs"] = timed(
        lambda r: booster.predict(xgboost.DMatrix(r[None, :], feature_names=names, nthread=1), pred_contribs=True),
        list(matrix),
    )
    pairs = list(zip((t.user_id for t in transactions), features, strict=True))

    def live(key: str, value: object) -> None:
        threshold_set(key=key, value=value, actor="benchmark", reason="latency benchmark")

    # model_score in a tight loop: no explanation, every score explained (Saabas, TreeSHAP), and the default
    # (TreeSHAP for scores >= serving.contribution_min_score = 0.01).
    for name, method, floor in (
        ("none", "none", 0.0),
        ("approximate_all", "approximate", 0.0),
        ("exact_all", "exact", 0.0),
        ("default", "exact", 0.01),
    ):
        live("serving.contribution_method", method)
        live("serving.contribution_min_score", floor)
        result[f"model_score_{name}"] = timed(lambda pair: model_score(user_id=pair[0], features=pair[1]), pairs)
    runtime().buffers.drain()
    result["explained_share_default"] = round(
        sum(1 for user, f in pairs if getattr(model_score(user_id=user, features=f), "contributions", None))
        / len(pairs),
        4,
    )
    runtime().buffers.drain()
    # The fraud score with and without the model, interleaved transaction by transaction (same load, same
    # history). Strategy rules_only: the model is still called (shadow), decisions and alerts stay identical,
    # so the difference is the model's cost alone.
    live("fraud.hybrid_strategy", "rules_only")
    try:
        for name, floor in (("default", 0.01), ("explain_all", 0.0)):
            live("serving.contribution_min_score", floor)
            result[f"fraud_score_{name}"] = in_fraud_score(transactions, rounds, tag=name)
    finally:
        live("fraud.hybrid_strategy", "weighted_average")
        live("serving.contribution_min_score", 0.01)
    result["load_average_at_end"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    loading = sub.add_parser("load")
    loading.add_argument("path")
    loading.add_argument("--batch", type=int, default=500)
    sub.add_parser("train")
    measuring = sub.add_parser("measure")
    measuring.add_argument("--rows", type=int, default=2000)
    measuring.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    if options.step == "load":
        load(options.path, options.batch)
    elif options.step == "train":
        train()
    else:
        print(json.dumps(measure(options.rows, options.rounds), indent=2))


if __name__ == "__main__":
    main()
