"""The command line: which phases, frameworks and databases; the phases in order; the summary."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from tests.benchmarks.runtime.cold import bytecode, cold_start, without_token
from tests.benchmarks.runtime.databases import DATABASES, Databases
from tests.benchmarks.runtime.figures import Figures
from tests.benchmarks.runtime.latency import LATENCY_RATES, latency, outbound
from tests.benchmarks.runtime.processes import stop_all
from tests.benchmarks.runtime.summary import summary
from tests.benchmarks.runtime.throughput import throughput

PHASES = ("cold", "throughput", "latency", "outbound")


def parser(description: str) -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=description,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parse.add_argument("--updates", type=int, default=2000,
                       help="updates queued at once per throughput run")
    parse.add_argument("--frameworks", nargs="+", default=["aiogram", "ptb"],
                       choices=["aiogram", "ptb"])
    parse.add_argument("--databases", nargs="+", default=list(DATABASES), choices=DATABASES,
                       help="Frontline's database in the throughput and latency phases")
    parse.add_argument("--phases", nargs="+", default=list(PHASES), choices=PHASES)
    parse.add_argument("--repeat", type=int, default=3,
                       help="throughput turns; min / median / max are printed")
    parse.add_argument("--cold-runs", type=int, default=3,
                       help="fresh starts of each bot; min / median / max are printed")
    parse.add_argument("--rates", nargs="+", type=float, default=list(LATENCY_RATES),
                       help="updates/s of the latency phase")
    parse.add_argument("--latency-runs", type=int, default=1,
                       help="latency turns per rate; min / median / max are printed")
    parse.add_argument("--latency-seconds", type=float, default=10.0,
                       help="how long each latency run sends at its rate")
    return parse


async def main(arguments: argparse.Namespace) -> None:
    started = time.monotonic()
    out = Figures()
    print(f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f} updates={arguments.updates} "
          f"databases={' '.join(arguments.databases)}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        databases = Databases(workdir)
        try:
            await run_phases(arguments, workdir, databases, out)
        finally:  # a phase that failed must not leave a bot, an echo or a server behind
            stop_all()
            databases.close()
    print("\n".join(["", "figures:", *out.lines]))
    table = summary(out, arguments.frameworks, arguments.databases)
    if table:
        print("\n".join(["", "goals (medians; ✓/✗ are figures, not assertions):", *table]))
    print(f"\nthe whole run took {time.monotonic() - started:.0f} s "
          f"(load now {os.getloadavg()[0]:.1f})")


async def run_phases(arguments: argparse.Namespace, workdir: Path, databases: Databases,
                     out: Figures) -> None:
    phases, kinds = arguments.phases, arguments.databases
    if "cold" in phases:
        bytecode(out)
        await without_token(workdir, out, arguments.cold_runs)
    for framework in arguments.frameworks:
        if "cold" in phases:
            await cold_start(framework, workdir, databases, out, arguments.cold_runs)
        if "throughput" in phases:
            await throughput(framework, kinds, arguments.updates, arguments.repeat, workdir,
                             databases, out)
        if "latency" in phases:
            await latency(framework, kinds, workdir, databases, out, arguments.rates,
                          arguments.latency_runs, arguments.latency_seconds)
        if "outbound" in phases:
            await outbound(framework, workdir, databases, out)
