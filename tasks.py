#!/usr/bin/env python3
"""The two commands of the README, runnable with nothing but Python 3.11:

    python3 tasks.py book   # environment (if missing) -> data -> notebooks (paper profile, stale only) -> HTML site
    python3 tasks.py test   # environment (if missing) -> test suite (what CI runs)

Both are idempotent. The environment is ``.venv`` in this directory; it is rebuilt only when ``pyproject.toml``
changes. Extra arguments go to the underlying command (``python3 tasks.py test -k claims``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
MARKER = VENV / ".installed"


def _spec_digest() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(
            f"Python 3.11 is required (the pinned torch==2.13.0 wheel is for 3.11); this is {sys.version.split()[0]}"
        )
    if MARKER.is_file() and MARKER.read_text().strip() == _spec_digest() and PYTHON.is_file():
        return
    if not PYTHON.is_file():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("installing the pinned packages (torch==2.13.0 CPU and the rest; about a minute)", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f"{ROOT}[test]"],
        check=True,
    )
    MARKER.write_text(_spec_digest() + "\n")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("book", "test"):
        print(__doc__)
        return 2
    ensure_environment()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if argv[0] == "book":
        command = [str(PYTHON), "-m", "replicate", "book", *argv[1:]]
    else:
        command = [str(PYTHON), "-m", "pytest", *argv[1:]]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
