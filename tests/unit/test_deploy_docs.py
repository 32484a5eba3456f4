"""The README's "Deploying" page and the files it documents agree, and the nginx config the
multi-worker tests run is the documented one (one source: ``bot/deploy/nginx.conf``)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import unavailable
from tests.e2e.cluster import DEPLOY, NGINX_SITE, WEBHOOK_PATH, site_config

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEPLOYING = README.split("## Deploying\n", 1)[1].split("\n## ", 1)[0]


def test_every_file_the_deploying_page_names_exists_and_every_deploy_file_is_named() -> None:
    named = set(re.findall(r"`(bot/deploy/[^`]+)`", DEPLOYING))
    shipped = {str(p.relative_to(ROOT)) for p in DEPLOY.rglob("*") if p.is_file()}
    assert {n for n in named if not (ROOT / n).is_file()} == set()
    assert shipped <= named


def test_the_page_covers_backups_and_upgrades() -> None:
    for words in ("pg_dump", ".backup", "frontline db upgrade", "pg_restore"):
        assert words in DEPLOYING


def test_the_systemd_units_and_the_compose_file_run_the_same_topology() -> None:
    worker = (DEPLOY / "systemd" / "frontline@.service").read_text(encoding="utf-8")
    assert "FRONTLINE_WEBHOOK_LISTEN=127.0.0.1:%i" in worker
    assert re.search(r"^ExecStart=\S+/frontline run --webhook https://\S+" + WEBHOOK_PATH,
                     worker, re.MULTILINE)
    assert "frontline db upgrade" in (DEPLOY / "systemd" / "frontline-upgrade.service").read_text()
    assert "pg_dump" in (DEPLOY / "systemd" / "frontline-backup.service").read_text()

    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["upgrade"]["command"] == ["db", "upgrade"]
    assert services["nginx"]["volumes"][0].startswith("./nginx.conf:")
    listens = sorted(s["environment"]["FRONTLINE_WEBHOOK_LISTEN"] for name, s in
                     services.items() if name.startswith("worker-"))
    upstream = re.findall(r"^\s*server (127\.0\.0\.1:\d+)", NGINX_SITE.read_text(), re.MULTILINE)
    assert listens == upstream  # one upstream line per worker, in both
    command = compose["x-worker"]["command"]
    assert command[:2] == ["run", "--webhook"] and WEBHOOK_PATH in command[2]


def test_the_tests_run_the_documented_nginx_config() -> None:
    documented = NGINX_SITE.read_text(encoding="utf-8")
    used = site_config(8080, [9001, 9002])
    swapped = ("server 127.0.0.1:", "listen", "ssl_", "server_name")
    # Only the upstream's servers and the TLS lines differ; every proxy setting is the same.
    assert [line for line in used.splitlines() if not line.strip().startswith(swapped)] == [
        line for line in documented.splitlines() if not line.strip().startswith(swapped)]
    assert "    server 127.0.0.1:9001 max_fails=1 fail_timeout=5s;\n" in used
    assert "listen 127.0.0.1:8080;" in used and "ssl" not in used
    assert f"location {WEBHOOK_PATH} {{" in used


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """``systemd-analyze verify`` on the units as shipped (an unknown key, a bad value or a
    missing dependency would be reported); only the install path is pointed at this checkout's
    ``frontline``, which must exist for the check to pass."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        unavailable("checking the systemd units needs systemd-analyze",
                    "sudo apt-get install systemd")
    installed = shutil.which("frontline", path=str(Path(sys.executable).parent))
    assert installed is not None
    units = sorted((DEPLOY / "systemd").iterdir())
    for unit in units:
        text = unit.read_text(encoding="utf-8").replace("/opt/frontline/.venv/bin/frontline",
                                                        installed)
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    checked = subprocess.run([analyze, "verify", *(str(tmp_path / u.name) for u in units)],
                             capture_output=True, text=True, timeout=60, check=False)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")
