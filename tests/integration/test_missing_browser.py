"""Without Chromium the browser tests are skipped loudly on a developer's machine (the one
command that installs it, repeated in the summary) and fail under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMAND = "apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji"


def _browser_tests(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("CI", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    return subprocess.run(
        # The start-up budget test needs the sandbox but no browser: left out, it is slow.
        [sys.executable, "-m", "pytest", "tests/e2e/test_sandbox_browser.py", "-k",
         "not startup_budget", "-p", "no:cacheprovider", "--color=no",
         f"--basetemp={tmp_path / 't'}"],
        cwd=ROOT, env={**clean, "CHROMIUM_PATH": str(tmp_path / "no-chromium"), **env},
        capture_output=True, text=True, timeout=300, check=False)


def test_a_missing_chromium_is_a_loud_skip_with_the_command_that_installs_it(
        tmp_path: Path) -> None:
    run = _browser_tests(tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    summary = run.stdout.split("tests skipped for want of something installed", 1)
    assert len(summary) == 2, run.stdout[-3000:]
    assert "THE BROWSER TESTS DID NOT RUN" in summary[1]
    assert f"install it with: {COMMAND}" in summary[1], summary[1]


@pytest.mark.parametrize("ci", ["true"])
def test_under_ci_a_missing_chromium_fails(tmp_path: Path, ci: str) -> None:
    run = _browser_tests(tmp_path, CI=ci)
    assert run.returncode == 1, run.stdout[-3000:]
    assert COMMAND in run.stdout and "error" in run.stdout.lower(), run.stdout[-3000:]
