"""Where lake files live: one small adapter over pyarrow filesystems, chosen from ``STORAGES["lake"]``.

The same settings that configure django-storages' ``lake`` alias decide the backend:
``FileSystemStorage`` → a local folder (``location``); ``S3Storage`` → a bucket on S3/MinIO
(``endpoint_url``, ``bucket_name``, keys, region). Parquet goes through pyarrow's own filesystems
because they read and write Parquet without copying through Python file objects.

Durability: a local file is written to a temporary name, fsync'ed, then renamed (atomic on POSIX),
so a reader never sees half a file and a crash leaves either nothing or the whole file. An S3 PUT
is atomic and durable once it returns.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from pyarrow import fs

from apps.pipeline.lake.conf import lake_setting


@dataclass(frozen=True)
class LakeLocation:
    kind: str  # "local" | "s3"
    root: str  # folder, or bucket name
    endpoint: str = ""
    access_key: str = ""
    secret_key: str = ""
    region: str = ""

    def describe(self) -> str:
        return f"s3://{self.root} at {self.endpoint}" if self.kind == "s3" else self.root


def lake_location() -> LakeLocation:
    config: dict[str, Any] = dict(settings.STORAGES["lake"])  # type: ignore[call-overload]
    options: dict[str, Any] = config.get("OPTIONS", {})
    if config["BACKEND"].endswith("S3Storage"):
        return LakeLocation(
            kind="s3",
            root=options["bucket_name"],
            endpoint=options.get("endpoint_url", ""),
            access_key=options.get("access_key", ""),
            secret_key=options.get("secret_key", ""),
            region=options.get("region_name", "us-east-1"),
        )
    return LakeLocation(kind="local", root=str(options.get("location") or settings.DATALAKE_LOCAL_PATH))


class LakeStore:
    """Read/write Parquet and list files under lake-relative paths (``bronze/event_type=…/…``)."""

    def __init__(self, location: LakeLocation):
        self.location = location
        if location.kind == "s3":
            endpoint = urlparse(location.endpoint) if location.endpoint else None
            self.filesystem: fs.FileSystem = fs.S3FileSystem(
                access_key=location.access_key or None,
                secret_key=location.secret_key or None,
                region=location.region or "us-east-1",
                endpoint_override=endpoint.netloc if endpoint else None,
                scheme=endpoint.scheme if endpoint else "https",
                allow_bucket_creation=True,
            )
            self.base = location.root
        else:
            self.filesystem = fs.LocalFileSystem()
            self.base = os.path.abspath(location.root)

    # ------------------------------------------------------------------ paths
    def full(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def relative(self, full_path: str) -> str:
        return full_path[len(self.base) + 1 :] if full_path.startswith(self.base + "/") else full_path

    def ensure_root(self) -> None:
        self.filesystem.create_dir(self.base, recursive=True)

    # ------------------------------------------------------------------ write
    def write_table(self, path: str, table: pa.Table, *, durable: bool = True) -> int:
        """Write ``table`` as Parquet at ``path`` (replacing it atomically); return the size in bytes.

        ``durable=False`` skips the fsyncs for files rebuildable from bronze (silver, gold)."""
        sink = io.BytesIO()
        pq.write_table(
            table,
            sink,
            compression=lake_setting("LAKE_PARQUET_COMPRESSION"),
            use_dictionary=True,
            write_statistics=True,
        )
        data = sink.getvalue()
        self.write_bytes(path, data, durable=durable)
        return len(data)

    def write_bytes(self, path: str, data: bytes, *, durable: bool = True) -> None:
        target = self.full(path)
        if self.location.kind == "s3":
            with self.filesystem.open_output_stream(target) as stream:
                stream.write(data)
            return
        folder = os.path.dirname(target)
        os.makedirs(folder, exist_ok=True)
        temporary = os.path.join(folder, f".{os.path.basename(target)}.{uuid.uuid4().hex}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, target)
        if not durable:
            return
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)

    # ------------------------------------------------------------------ read
    def read_table(self, path: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.full(path), columns=columns, filesystem=self.filesystem)

    def read_tables(self, paths: Iterable[str], columns: list[str] | None = None) -> pa.Table | None:
        tables = [self.read_table(path, columns) for path in paths]
        tables = [table for table in tables if table.num_rows]
        if not tables:
            return None
        return pa.concat_tables(tables, promote_options="permissive")

    def exists(self, path: str) -> bool:
        return bool(self.filesystem.get_file_info(self.full(path)).type != fs.FileType.NotFound)

    def list_files(self, prefix: str) -> list[str]:
        """Lake-relative paths of every file under ``prefix`` (recursively); [] if none."""
        info = self.filesystem.get_file_info(fs.FileSelector(self.full(prefix), recursive=True, allow_not_found=True))
        return sorted(self.relative(item.path) for item in info if item.type == fs.FileType.File)

    def delete(self, path: str) -> None:
        try:
            self.filesystem.delete_file(self.full(path))
        except FileNotFoundError:
            return


@lru_cache(maxsize=4)
def _store_for(location: LakeLocation) -> LakeStore:
    store = LakeStore(location)
    store.ensure_root()
    return store


def lake_store() -> LakeStore:
    """The store for the current settings (cached per configuration)."""
    return _store_for(lake_location())


def reset_lake_store() -> None:
    """Forget cached stores (after a fork, or when tests change the settings)."""
    _store_for.cache_clear()
