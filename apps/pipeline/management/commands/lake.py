"""``manage.py lake …``: the data lake from the command line (runs jobs inline, with a progress bar).

lake status                                   partitions, rows, freshness per layer
lake silver [--from D] [--to D] [--event-type T] [--force]
lake gold [--dataset NAME ...] [--from D] [--to D]
lake rebuild --from D --to D [--dataset NAME ...]   every silver partition, then gold, in the range
lake rotate-pii-keys                          re-encrypt the PII mapping with the newest key
lake vacuum [--apply]                         list (or delete) bronze files no metadata counts
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Max, Sum
from tqdm import tqdm

from apps.pipeline.lake.choices import LakeJobKind, LakeJobStatus, LakeLayer
from apps.pipeline.lake.gold.registry import DATASETS
from apps.pipeline.lake.jobs import lake_job_create, lake_job_run
from apps.pipeline.lake.models import LakeFile, LakePartition
from apps.pipeline.lake.pii import pii_keys_rotate
from apps.pipeline.lake.storage import lake_store


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Data lake: status, silver, gold, rebuild (with progress), PII key rotation, vacuum."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="Partitions, rows and freshness per layer.")
        silver = sub.add_parser("silver", help="Process bronze partitions into silver.")
        silver.add_argument("--from", dest="date_from", type=_date)
        silver.add_argument("--to", dest="date_to", type=_date)
        silver.add_argument("--event-type")
        silver.add_argument("--force", action="store_true", help="Reprocess even unchanged partitions.")
        gold = sub.add_parser("gold", help="Refresh gold datasets.")
        gold.add_argument("--dataset", action="append", choices=sorted(DATASETS))
        gold.add_argument("--from", dest="date_from", type=_date)
        gold.add_argument("--to", dest="date_to", type=_date)
        rebuild = sub.add_parser("rebuild", help="Rebuild silver then gold over a date range.")
        rebuild.add_argument("--from", dest="date_from", type=_date, required=True)
        rebuild.add_argument("--to", dest="date_to", type=_date, required=True)
        rebuild.add_argument("--dataset", action="append", choices=sorted(DATASETS))
        sub.add_parser("rotate-pii-keys", help="Re-encrypt every PII mapping with the newest PII_ENCRYPTION_KEY.")
        vacuum = sub.add_parser("vacuum", help="Bronze files left by a crash between write and commit.")
        vacuum.add_argument("--apply", action="store_true", help="Delete them (default: list).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            self._status()
        elif action == "rotate-pii-keys":
            self.stdout.write(f"re-encrypted {pii_keys_rotate()} mappings")
        elif action == "vacuum":
            self._vacuum(apply=options["apply"])
        else:
            self._job(action, options)

    def _job(self, action: str, options: dict[str, Any]) -> None:
        date_from, date_to = options.get("date_from"), options.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from is after --to")
        parameters: dict[str, Any] = {
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
        }
        if action == "silver":
            parameters.update(event_type=options.get("event_type"), force=options["force"])
        if options.get("dataset"):
            parameters["datasets"] = options["dataset"]
        kind = {"silver": LakeJobKind.SILVER, "gold": LakeJobKind.GOLD, "rebuild": LakeJobKind.REBUILD}[action]
        job = lake_job_create(kind=kind, parameters=parameters, requested_by="cli")
        bar = tqdm(total=0, unit="step", desc=f"lake {action} #{job.pk}", file=self.stderr._out, dynamic_ncols=True)

        def progress(done: int, total: int, message: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(message[-60:])
            bar.refresh()

        started = datetime.now(UTC)
        job = lake_job_run(job.pk, progress=progress)
        bar.close()
        job.refresh_from_db()
        seconds = (datetime.now(UTC) - started).total_seconds()
        if job.status != LakeJobStatus.SUCCEEDED:
            raise CommandError(f"job #{job.pk} failed: {job.message}")
        self.stdout.write(self.style.SUCCESS(f"job #{job.pk} {job.kind} done in {seconds:.1f}s"))
        silver = job.result.get("silver")
        if silver:
            self.stdout.write(
                f"silver: {silver['partitions']} partitions, {silver['passed']} passed, {silver['rejected']} rejected,"
                f" {silver['duplicates_removed']} duplicates removed"
            )
            for alert in silver["alerts"]:
                self.stdout.write(self.style.WARNING(f"rejection rate above threshold: {alert}"))
        for summary in job.result.get("gold", []):
            self.stdout.write(
                f"gold {summary['dataset']}: {summary['partitions']} partitions, {summary['rows']} rows,"
                f" {summary['seconds']}s"
            )

    def _status(self) -> None:
        self.stdout.write(f"lake at {lake_store().location.describe()}")
        rows = (
            LakePartition.objects.values("layer")
            .annotate(partitions=Count("id"), rows=Sum("row_count"), size=Sum("size_bytes"), latest=Max("updated_at"))
            .order_by("layer")
        )
        for row in rows:
            self.stdout.write(
                f"{row['layer']:7} {row['partitions']:6} partitions {row['rows'] or 0:12} rows "
                f"{(row['size'] or 0) / 1e6:10.1f} MB  last write {row['latest']:%Y-%m-%d %H:%M:%S}"
            )
        for name in DATASETS:
            latest = LakePartition.objects.filter(layer=LakeLayer.GOLD, dataset=name).aggregate(
                latest=Max("updated_at"), rows=Sum("row_count")
            )
            when = f"{latest['latest']:%Y-%m-%d %H:%M}" if latest["latest"] else "never"
            self.stdout.write(f"  gold {name:28} refreshed {when}  rows {latest['rows'] or 0}")

    def _vacuum(self, *, apply: bool) -> None:
        store = lake_store()
        known = set(LakeFile.objects.filter(layer=LakeLayer.BRONZE).values_list("path", flat=True))
        cutoff = datetime.now(UTC) - timedelta(hours=1)  # never touch a flush in progress
        orphans = [
            path
            for path in store.list_files("bronze")
            if path.endswith(".parquet") and path not in known and _written_before(path, cutoff)
        ]
        for path in orphans:
            self.stdout.write(("deleted " if apply else "orphan ") + path)
            if apply:
                store.delete(path)
        self.stdout.write(f"{len(orphans)} orphan bronze files")


def _written_before(path: str, cutoff: datetime) -> bool:
    name = path.rsplit("/", 1)[-1]  # part-YYYYmmddTHHMMSS-<id>.parquet
    try:
        written = datetime.strptime(name.split("-")[1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except (IndexError, ValueError):
        return False
    return written < cutoff
