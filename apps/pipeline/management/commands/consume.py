"""``manage.py consume <stream>`` / ``--all``: run a Kafka consumer until SIGTERM."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from apps.pipeline.spine.shutdown import install_stop_flag
from apps.pipeline.streams import all_streams


class Command(BaseCommand):
    help = "Consume a stream (or --all inbound topics) into the event spine until SIGTERM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("stream", nargs="?", help="Stream name (see --list).")
        parser.add_argument("--all", action="store_true", help="All inbound trebanx.* topics in one process.")
        parser.add_argument("--list", action="store_true", help="List the streams and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        streams = all_streams()
        if options["list"]:
            for name, stream in sorted(streams.items()):
                self.stdout.write(f"{name:14} {', '.join(stream.topics)} — {stream.description}")
            return
        name = "all" if options["all"] else options["stream"]
        if not name:
            raise CommandError("Name a stream or pass --all (see --list).")
        if name not in streams:
            raise CommandError(f"Unknown stream {name!r}; known: {', '.join(sorted(streams))}")
        stream = streams[name]
        import_string(stream.runner)(stream, install_stop_flag())
