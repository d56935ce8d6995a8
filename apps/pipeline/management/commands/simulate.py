"""``manage.py simulate``: produce realistic Trebanx traffic (live or a backfilled history) and plant
labelled scenarios. See apps/pipeline/simulator/README.md."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.pipeline.simulator import ScenarioError, all_scenarios
from apps.pipeline.simulator.choices import SimulationMode
from apps.pipeline.simulator.service import Progress, SimulationError, SimulationOptions, run_simulation
from apps.pipeline.simulator.sinks import build_sink
from apps.pipeline.spine.shutdown import install_stop_flag

SHORT_TOPIC_NAMES = {
    "trebanx.circle.events": "circle",
    "trebanx.transaction.events": "transaction",
    "trebanx.user.events": "user",
    "trebanx.remittance.events": "remittance",
    "trebanx.security.events": "security",
}


def summary(progress: Progress) -> str:
    topics = " · ".join(
        f"{SHORT_TOPIC_NAMES.get(topic, topic)} {count:,}" for topic, count in progress.by_topic.items()
    )
    planted = sum(progress.planted.values())
    per_second = progress.produced / progress.elapsed if progress.elapsed else 0.0
    line = (
        f"[run {progress.run_id}] {progress.elapsed:7.1f}s  {progress.produced:,} events ({per_second:,.0f}/s)"
        f"  {topics}  scenarios planted {planted}  labels {progress.labels}  clock {progress.clock}"
    )
    if progress.delivery_failures:
        line += f"  DELIVERY FAILURES {progress.delivery_failures}"
    return line


class Command(BaseCommand):
    help = (
        "Simulate Trebanx traffic on the five trebanx.* topics (live, or a backfilled history) with labelled scenarios."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rate", type=float, default=20.0, help="Live: events per second (default 20).")
        parser.add_argument("--duration", type=float, default=60.0, help="Live: seconds to run; 0 = until SIGTERM.")
        parser.add_argument(
            "--scenario",
            action="append",
            default=[],
            metavar="NAME",
            help="Plant this scenario (repeatable; see --list-scenarios).",
        )
        parser.add_argument(
            "--scenario-every",
            type=float,
            metavar="SECONDS",
            help="Plant the scenarios in turn every SECONDS of the run's clock (default: each once).",
        )
        parser.add_argument("--seed", type=int, help="Random seed (a backfill with the same seed is identical).")
        parser.add_argument("--users", type=int, default=500, help="Customers in the world (default 500).")
        parser.add_argument("--circles", type=int, default=40, help="Circles running at a time (default 40).")
        parser.add_argument("--output", default="kafka", help="kafka (default) or jsonl:PATH.")
        parser.add_argument(
            "--start",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="Backfill from this UTC date (with --days) instead of running live.",
        )
        parser.add_argument("--days", type=float, default=1.0, help="Backfill: length of the period in days.")
        parser.add_argument("--list-scenarios", action="store_true", help="List the registered scenarios and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_scenarios"]:
            for scenario in all_scenarios():
                self.stdout.write(f"{scenario.name:28} {scenario.description}")
            return
        settings = SimulationOptions(
            mode=SimulationMode.BACKFILL if options["start"] else SimulationMode.LIVE,
            seed=options["seed"],
            rate=options["rate"],
            duration=options["duration"],
            users=options["users"],
            circles=options["circles"],
            start=options["start"],
            days=options["days"],
            scenarios=options["scenario"],
            scenario_every=options["scenario_every"],
        )
        try:
            sink = build_sink(options["output"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        try:
            result = run_simulation(
                settings,
                sink,
                should_stop=install_stop_flag(),
                on_progress=lambda progress: self.stdout.write(summary(progress)),
            )
        except (SimulationError, ScenarioError) as error:
            raise CommandError(str(error)) from error
        if result.delivery_failures:
            raise CommandError(f"{result.delivery_failures} events could not be delivered")
