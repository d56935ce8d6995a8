"""``manage.py train_fraud_model`` - train the fraud model from labelled history and register it in MLflow.

Also ``--evaluate-live``: precision/recall of the served versions on what analysts labelled since.
"""

from __future__ import annotations

import getpass
import shlex
import sys
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from tqdm import tqdm

from apps.fraud.training.outcomes import live_outcomes_evaluate
from apps.fraud.training.train import TrainingOptions, fraud_model_train
from lakay.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Build the training set from labelled history with the scorer's own feature code (point in time), "
        "train XGBoost, evaluate on a time-based hold-out against the rules alone, log to MLflow and register "
        "a version (optionally promote it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="Oldest event time to learn from (date or ISO time).")
        parser.add_argument("--until", help="Newest event time (exclusive; default now).")
        parser.add_argument(
            "--labels",
            choices=("auto", "analyst", "simulator", "both"),
            default="auto",
            help="auto: analyst dispositions, plus the simulator's until analysts labelled enough.",
        )
        parser.add_argument("--min-analyst-labels", type=int, default=500)
        parser.add_argument("--min-analyst-frauds", type=int, default=50)
        parser.add_argument("--maturity-days", type=int, default=30,
                            help="Unreported transactions older than this count as legitimate (sampled).")  # fmt: skip
        parser.add_argument("--negatives-per-positive", type=int, default=20)
        parser.add_argument("--holdout-fraction", type=float, default=0.2)
        parser.add_argument("--rounds", type=int, default=300)
        parser.add_argument("--max-depth", type=int, default=6)
        parser.add_argument("--learning-rate", type=float, default=0.1)
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="Operating threshold on the model's probability (default: best F1 on validation).",
        )
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--dry-run", action="store_true", help="Train and evaluate, register nothing.")
        parser.add_argument("--promote-to", choices=("challenger", "champion"), default=None)
        parser.add_argument("--reason", default="", help="Why (recorded with a promotion).")
        parser.add_argument("--actor", default="", help="Who (defaults to the operating-system user).")
        parser.add_argument("--evaluate-live", action="store_true",
                            help="Only compute per-variant precision/recall of the served versions.")  # fmt: skip
        parser.add_argument("--days", type=int, default=30, help="Window of --evaluate-live.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["evaluate_live"]:
            outcomes = live_outcomes_evaluate(days=options["days"])
            for outcome in outcomes:
                self.stdout.write(
                    f"{outcome.model_name} v{outcome.model_version} ({outcome.variant}): precision {outcome.precision} "
                    f"recall {outcome.recall} on {outcome.labelled_count} labelled"
                )
            if not outcomes:
                self.stdout.write("no labelled transaction was scored by a model in the window")
            return
        bars: dict[str, tqdm[Any]] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if options["no_progress"]:
                return
            bar = bars.get(stage)
            if bar is None:
                bar = bars[stage] = tqdm(total=total, desc=stage, unit="rows" if stage == "features" else "rounds",
                                         file=sys.stderr, leave=True)  # fmt: skip
            bar.update(done - bar.n)

        training_options = TrainingOptions(
            since=_moment(options["since"]),
            until=_moment(options["until"]),
            label_source=options["labels"],
            min_analyst_labels=options["min_analyst_labels"],
            min_analyst_frauds=options["min_analyst_frauds"],
            maturity_days=options["maturity_days"],
            negatives_per_positive=options["negatives_per_positive"],
            holdout_fraction=options["holdout_fraction"],
            rounds=options["rounds"],
            max_depth=options["max_depth"],
            learning_rate=options["learning_rate"],
            threshold=options["threshold"],
            seed=options["seed"],
            register=not options["dry_run"],
            promote_to=options["promote_to"],
            reason=options["reason"],
            actor=options["actor"] or getpass.getuser(),
            command=self._command_line(options),
        )
        try:
            result = fraud_model_train(training_options, progress=progress)
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.message} {error.details}") from error
        finally:
            for bar in bars.values():
                bar.close()
        metrics = result.metrics
        self.stdout.write(f"labels: {result.labels.counts()} (simulator used: {result.labels.used_simulator})")
        self.stdout.write(f"rows: {result.dataset_rows} (train {result.train_rows}, hold-out {result.holdout_rows})")
        self.stdout.write(f"operating threshold: {result.operating_threshold:.4f}; data hash {result.data_hash[:16]}…")
        for prefix, name in (("", "model"), ("rules_", "rules alone"), ("hybrid_", "hybrid")):
            self.stdout.write(
                f"  {name:12} AUC-PR {_fmt(metrics.get(prefix + 'auc_pr'))}  "
                f"P {_fmt(metrics.get(prefix + 'precision_at_threshold'))}  "
                f"R {_fmt(metrics.get(prefix + 'recall_at_threshold'))}  "
                f"F1 {_fmt(metrics.get(prefix + 'f1_at_threshold'))}"
            )
        if result.version is None:
            self.stdout.write("dry run: nothing registered")
            return
        promoted = f", now @{result.promoted}" if result.promoted else ""
        self.stdout.write(f"registered {result.version}{promoted}")
        refused = result.promotion_refused
        if refused is not None:
            for check in refused.details.get("checks", []):
                if not check["passed"]:
                    self.stderr.write(f"  [FAIL] {check['name']}: {check['detail']}")
            raise CommandError(f"registered {result.version} but not promoted: {refused.code}: {refused.message}")

    def _command_line(self, options: dict[str, Any]) -> str:
        """This invocation as a command line (the options that differ from their defaults), for the card."""
        parts = ["manage.py", "train_fraud_model"]
        for action in self.create_parser("manage.py", "train_fraud_model")._actions:
            if not action.option_strings or action.dest in COMMAND_LINE_SKIPPED:
                continue
            value = options.get(action.dest, action.default)
            if value is None or value == action.default:
                continue
            flag = max(action.option_strings, key=len)
            parts += [flag] if value is True else [flag, shlex.quote(str(value))]
        return " ".join(parts)


COMMAND_LINE_SKIPPED = frozenset(
    {"help", "version", "verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color",
     "skip_checks", "no_progress"}
)  # fmt: skip


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"not a date or time: {value}")
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else "n/a"
