"""Shared argument helpers of the serving commands."""

from __future__ import annotations

import getpass

from django.core.management.base import CommandParser


def add_actor_arguments(parser: CommandParser, *, reason_required: bool = True) -> None:
    parser.add_argument("--reason", required=reason_required, help="Why (kept in the history).")
    parser.add_argument("--actor", default="", help="Who (defaults to the operating-system user).")


def actor_from(value: str) -> str:
    return value or getpass.getuser()
