"""The one environment reader for the project.

Every setting that can be changed by an operator is read here or in a settings topic module through
this ``env`` object, and documented once in ``.env.example`` and ``docs/configuration.md``.
A ``.env`` file at the repository root is read if present; real environment variables win.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_dotenv = BASE_DIR / ".env"
if _dotenv.is_file():
    environ.Env.read_env(str(_dotenv), overwrite=False)
