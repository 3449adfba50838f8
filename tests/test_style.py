"""The code base passes ruff with the settings in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_check() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "examples"],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)
    assert result.returncode == 0, f"ruff check failed:\n{result.stdout}\n{result.stderr}"
