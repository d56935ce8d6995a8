"""Every environment variable the code reads is documented exactly once in .env.example."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_PATTERNS = [
    re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']"""),  # env.str("NAME", ...), env("NAME")
    re.compile(r"""os\.environ(?:\.get)?[\[(]\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""getenv\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""\$\{([A-Z][A-Z0-9_]+)(?::-[^}]*)?\}"""),  # ${NAME:-default} in scripts and the Procfile
]
SOURCES = ["lakay", "apps", "deploy", "scripts", "Procfile", "Makefile"]
# Set by our own scripts for child processes, or read by third-party tools, not operator settings.
INTERNAL = {
    "DJANGO_SETTINGS_MODULE",
    "PYENV_ROOT",
    "VIRTUAL_ENV",
    "CI",
    "ROOT",
    "VAR",
    "CHILD_LOG_LEVEL",
    "LAKAY_TEST_RECORD_HANDLED",
    "TEST_S3_ENDPOINT",
    "PATH",
    "HOME",
}


def _files() -> list[Path]:
    files: list[Path] = []
    for source in SOURCES:
        path = ROOT / source
        if path.is_file():
            files.append(path)
        else:
            files.extend(
                p for p in path.rglob("*") if p.suffix in {".py", ".sh", ".conf"} and "migrations" not in p.parts
            )
    return files


def variables_read() -> set[str]:
    found: set[str] = set()
    for path in _files():
        text = path.read_text()
        for pattern in READ_PATTERNS:
            found.update(pattern.findall(text))
    return found - INTERNAL


def variables_documented() -> Counter[str]:
    names = re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE)
    return Counter(names)


def test_every_variable_read_is_documented():
    missing = sorted(variables_read() - set(variables_documented()))
    assert missing == [], f"document these in .env.example: {missing}"


def test_no_variable_is_documented_twice():
    twice = sorted(name for name, count in variables_documented().items() if count > 1)
    assert twice == []
