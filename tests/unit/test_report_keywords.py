"""The monthly report's keywords are jieba.analyse's TF-IDF, computed without importing
jieba.analyse (which loads jieba.posseg's tagger: well over 100 MB on the 1st of the month)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from dialogs import words
from handlers.monthly_report import causes
from handlers.monthly_report.satisfaction import Voice

ROOT = Path(__file__).resolve().parents[2]

# Remark sets as residents write them; Chinese only, so every word of two characters or more
# counts towards the totals of both the report (which keeps Chinese and 3+ letter words) and
# extract_tags (which keeps every word of two characters or more).
REMARKS = (
    ("师傅迟到了两个小时", "迟到而且态度很差", "维修完第二天又漏水了", "态度差还乱收费"),
    ("电梯又坏了", "电梯维修太慢", "保安态度不好", "垃圾没有人清理", "绿化带杂草太多"),
    ("燃气灶打不着火", "师傅没带工具白跑一趟", "热水器维修后还是没有热水", "收费不透明"),
    ("空调漏水滴到楼下", "空调维修两次都没修好", "师傅很专业就是来得太晚"),
)
# Single requests, as service_of reads them (numbers and English in them, too).
REQUESTS = ("想预约搬家服务", "能不能帮忙清洗油烟机", "Need a locksmith for 3B please",
            "希望有上门开锁和换锁服务", "家里wifi路由器坏了能修吗", "周末可以预约钟点工打扫卫生吗")


@pytest.fixture(scope="module")
def stock() -> Any:
    """jieba.analyse's own TF-IDF, cutting with the office's tokenizer, with the office's stop
    words, as the report used it before."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba 0.42's invalid escape sequences
        from jieba.analyse import TFIDF
    keywords = TFIDF()
    keywords.tokenizer = words.tokenizer()
    keywords.set_stop_words(str(causes.STOPWORDS))
    return keywords


@pytest.mark.parametrize("text", ["，".join(remarks) for remarks in REMARKS] + list(REQUESTS))
def test_keywords_of_a_text_are_extract_tags(stock: Any, text: str) -> None:
    for top in (3, 6, 20):
        assert causes.extract_tags(text, top) == stock.extract_tags(text, topK=top)


@pytest.mark.parametrize("remarks", REMARKS)
def test_a_groups_keywords_weigh_what_extract_tags_weighs(stock: Any,
                                                          remarks: tuple[str, ...]) -> None:
    voices = [Voice("survey", text, "plumbing", None, f"WO-{i}", 2)
              for i, text in enumerate(remarks)]
    overall = causes.analyse(voices)[0]
    expected = dict(stock.extract_tags("，".join(remarks), topK=causes.KEYWORDS * 3,
                                       withWeight=True))
    assert overall.keywords
    for keyword in overall.keywords:
        assert keyword.term in expected
        assert keyword.weight == round(expected[keyword.term], 4)


def test_the_idf_table_is_jieba_analyses_from_the_cache_or_in_memory(
        stock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached = causes._idf_table()  # compiled, written, mapped back
    assert len(list((tmp_path / "frontline").glob("jieba-idf-*"))) == 2
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setattr(words, "cache_dirs", lambda: [blocked / "cache"])
    in_memory = causes._idf_table()  # no directory takes the files
    sample = [*list(stock.idf_freq)[::997], "态度", "漏水", "不在表里的词"]
    expected = [stock.idf_freq.get(word, stock.median_idf) for word in sample]
    assert [cached.get(word) for word in sample] == expected
    assert [in_memory.get(word) for word in sample] == expected
    assert cached.median == in_memory.median == stock.median_idf


def test_the_stop_words_are_jieba_analyses_and_the_offices(stock: Any) -> None:
    assert causes.tools().stop == frozenset(w.lower() for w in stock.stop_words
                                            if not w.startswith("#"))


PROBE = """
import json, sys
from handlers.monthly_report import causes
from handlers.monthly_report.satisfaction import Voice
groups = causes.analyse([Voice("survey", "师傅迟到了两个小时，态度很差", "plumbing", "王师傅",
                               "WO-1", 1)])
print(json.dumps({"service": causes.service_of("想预约搬家服务"),
                  "keywords": [k.term for k in groups[0].keywords],
                  "loaded": [m for m in ("jieba.analyse", "jieba.posseg") if m in sys.modules]}))
"""


def test_the_report_keywords_load_no_part_of_speech_tagger() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["service"] == "搬家"
    assert "迟到" in found["keywords"]
    assert found["loaded"] == []
