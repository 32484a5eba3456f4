"""For tests: start the real ``frontline sandbox`` as a process and stop it as a person would.

Every test (browser or not) starts the sandbox this one way, beside the emulator's helpers in
``tests/support/emulator.py``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"^Frontline sandbox: (http://127\.0\.0\.1:(\d+)/)$")
STARTUP_BUDGET = 15.0  # seconds from process start to the printed URL (the promise)


@dataclass
class RunningSandbox:
    url: str
    port: int
    process: subprocess.Popen[str]
    started_in: float  # seconds until the URL was printed
    cpu_seconds: float | None  # CPU the process had used by then (None off Linux)
    stderr_path: Path
    data: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def interrupt(self, within: float = 20.0) -> int:
        """Ctrl-C, then wait for the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(within)

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far, from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def frontline_command() -> list[str]:
    """The installed ``frontline`` script, else the same CLI through the interpreter."""
    script = shutil.which("frontline")
    return [script] if script else [sys.executable, "-c", "from bot.cli import main; main()"]


def press_ctrl_c(pid: int) -> None:
    """Ctrl-C in a terminal: SIGINT to the whole process group *pid* leads, and again 200 ms
    later, as ``uv run`` forwards it to its child a second time."""
    os.killpg(pid, signal.SIGINT)
    time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):  # already gone: nothing left to cut short
        os.killpg(pid, signal.SIGINT)


def through_uv(*args: str) -> list[str]:
    """``uv run frontline ARGS`` as the README starts it (``--frozen``: never touch uv.lock)."""
    uv = shutil.which("uv")
    assert uv is not None, "uv is not installed"
    return [uv, "run", "--frozen", "--project", str(ROOT), "frontline", *args]


def sandbox_env(data: Path) -> dict[str, str]:
    """Our environment without any real Telegram settings; these point nowhere on purpose."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    env.update({
        "FRONTLINE_API_BASE": "http://127.0.0.1:9",  # discard port: must be overridden
        "FRONTLINE_BOT_TOKEN": "1:not-a-real-token",
        "FRONTLINE_DATABASE_URL": f"sqlite:///{data / 'not-this-one.db'}",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def start_sandbox(data: Path, log_dir: Path, *extra: str, within: float = 60.0,
                  name: str = "sandbox", command: Sequence[str] | None = None) -> RunningSandbox:
    """Run ``frontline sandbox --port 0 --data DATA`` and wait for its URL line.

    *command* is how ``frontline`` is started (default: :func:`frontline_command`).
    """
    stderr_path = log_dir / f"{name}-stderr.log"
    started = time.monotonic()
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [*(command or frontline_command()), "sandbox", "--port", "0", "--data", str(data),
             *extra],
            stdout=subprocess.PIPE, stderr=stderr, env=sandbox_env(data), text=True,
            start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    deadline = started + within
    while True:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError("frontline sandbox printed no URL:\n"
                                     + stderr_path.read_text(errors="replace")[-4000:]) from None
            continue
        match = URL_LINE.match(line)
        if match:
            return RunningSandbox(match.group(1), int(match.group(2)), process,
                                  time.monotonic() - started, cpu_seconds(process.pid),
                                  stderr_path, data)
