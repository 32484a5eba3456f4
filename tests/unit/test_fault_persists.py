"""Which callback comments say the fault persists — read as triage reads text, against the
office's concept list (handlers/callback_surveys/data/fault_persists.yaml).

The sentences are paraphrases a resident might write in Simplified, Traditional / Cantonese and
English; none of them is a phrase of the list (checked below), so the list works by ideas, not
by a table of sentences.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pytest
import yaml

from dialogs.triage import concept_signal
from handlers.callback_surveys.persisting import DEFAULT_PATH, fault_persists, load_concepts
from handlers.office import Office
from handlers.office.rules import OfficeRules

PERSISTS: Final = [
    # Simplified
    "修完第二天又开始渗水了",
    "天花板照样往下滴",
    "厨房的下水道隔了一天又堵住",
    # Traditional (Taiwan / Hong Kong) and Cantonese
    "浴室天花板依舊在滲水",
    "水龍頭修完之後還是一直滴",
    "部冷氣仲係唔凍",
    "師傅整完冇耐又漏返",
    # English
    "The bathroom ceiling keeps leaking",
    "It broke again the next morning",
    "Still no hot water in the shower",
    "the pipe under the sink has been dripping again since yesterday",
    # fixed, then back: what comes after "fixed" is what holds now
    "修好了两天又坏了",
    "上周说修好了，昨天晚上又开始漏",
    "Fixed on Monday, leaking again by Wednesday",
]
HOLDS: Final = [
    "师傅修得很好，现在不漏了",
    "師傅好細心，冇再漏水啦，多謝",
    "Fixed, no longer leaking, thanks",
    "还不错，很满意",
    "师傅还很细心，帮我看了下水管有没有漏",
    "If it leaks again I'll let you know",
    "万一又坏了再找你们",
    "Great job, thank you",
    # thanks "again" is no fault again
    "漏水修好啦，再次感谢",
    "又麻烦你们了，热水器修好了",
    "thanks again for fixing the leak",
]


def _phrases() -> set[str]:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    return {str(p) for group in (data["concepts"], data["guards"]) for items in group.values()
            for p in items}


@pytest.mark.parametrize("comment", PERSISTS)
def test_a_comment_that_says_the_fault_is_still_there(comment: str) -> None:
    assert comment not in _phrases()
    assert concept_signal(load_concepts(), comment).sure == "persists"


@pytest.mark.parametrize("comment", HOLDS)
def test_a_comment_that_does_not(comment: str) -> None:
    assert concept_signal(load_concepts(), comment).sure is None


def test_the_office_may_use_its_own_list(tmp_path: Path, office: Office) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("concepts:\n  mould: [发霉, mould]\nrules:\n  persists:\n"
                    "    sure: [[mould]]\n", encoding="utf-8")
    own = Office(office.engine, office.clock, office.timezone, office.catalog,
                 OfficeRules(fault_persists_path=path))
    assert fault_persists(own, "墻角又發霉了")
    assert not fault_persists(own, "the ceiling is still leaking")
    assert fault_persists(office, "the ceiling is still leaking")


def test_a_broken_list_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("concepts:\n  a: [x]\nrules:\n  persists:\n    sure: [[nowhere]]\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match="nowhere"):
        load_concepts(path)
