"""The bot warms the triage model in a thread while it already receives: a resident's first
message that arrives during the warm-up is read with the whole model, and the model is built
once. Run in a fresh interpreter, where nothing is loaded yet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, threading
from dialogs.triage import _load, triage

builds = []
real_build = _load.build

def counted(*args, **kwargs):
    builds.append(threading.current_thread().name)
    return real_build(*args, **kwargs)

_load.build = counted
warming = threading.Thread(target=_load.warm_up, name="warm-up")
warming.start()
read = triage("厨房水龙头一直滴水")  # the first message, while the warm-up runs
warming.join()
print(json.dumps({"builds": builds, "service": read.service, "trade": read.trade}))
"""


def test_a_message_triaged_during_the_warm_up_gets_the_whole_model_built_once() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    result = json.loads(done.stdout.splitlines()[-1])
    assert len(result["builds"]) == 1
    assert (result["service"], result["trade"]) == ("tap_valve", "plumbing")


FAQ_PROBE = """
import json, sys, threading
from dialogs.faq import FaqIndex
from handlers.front_desk import faq
from handlers.reception.entry import warm_up
from tests.e2e.harness import office_for

office = office_for(sys.argv[1])
builds = []
real_build = FaqIndex.build.__func__

def counted(cls, *args, **kwargs):
    builds.append(threading.current_thread().name)
    return real_build(cls, *args, **kwargs)

FaqIndex.build = classmethod(counted)
warming = threading.Thread(target=warm_up, args=(office,), name="warm-up")
warming.start()
warming.join()
indexed_by_warm_up = list(builds)
found = faq.find(office, "物业管理处几点上班")  # the first question, after the warm-up
print(json.dumps({"warm_up": indexed_by_warm_up, "builds": builds, "found": found is not None}))
"""


def test_the_warm_up_indexes_the_faq_so_the_first_question_does_not(tmp_path: Path) -> None:
    # Indexing the FAQ (YAML, OpenCC, jieba) took ~40 ms on the first question of a run, in
    # front of every update queued behind it.
    done = subprocess.run([sys.executable, "-c", FAQ_PROBE, f"sqlite:///{tmp_path / 'o.db'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout.splitlines()[-1])
    assert result == {"warm_up": ["warm-up"], "builds": ["warm-up"], "found": True}
