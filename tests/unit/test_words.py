"""jieba with the compact dictionary (dialogs/words.py) cuts exactly as stock jieba does.

The same user dictionary goes into a stock `jieba.Tokenizer()` and into one given the trie;
a few thousand varied strings (the triage and FAQ data sets, the FAQ's own variants, random
CJK text with digits, Latin letters and punctuation, runs of the office's words) must come out
word for word the same, with the HMM on and off, in full mode and for search; so must the
frequencies jieba reads, before and after words are added at run time. Then the cache file:
built once, read again, rebuilt when damaged.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs import words
from handlers.front_desk.faq import DEFAULT_PATH, parse_faq

with warnings.catch_warnings():  # jieba 0.42's invalid escape sequences
    warnings.simplefilter("ignore")
    import jieba

DATA = Path(__file__).resolve().parents[1] / "data"
PUNCTUATION = "，。！？、：；（）「」“”…—～ ,.!?:;()-_+#&%/\n\t"


def office_words() -> list[str]:
    return [line.split()[0] for line in words._office_words().read().splitlines()]


def texts() -> list[str]:
    found = [json.loads(line)["text"] for path in sorted(DATA.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    entries = parse_faq(yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8")))
    found += [question for entry in entries for question in entry.questions]
    rng = random.Random(16)
    common = sorted({c for text in found for c in text if "\u4e00" <= c <= "\u9fff"})
    vocabulary = office_words()
    for _ in range(600):  # with the ~2,400 labelled messages and the FAQ: over 3,000 texts
        pieces = []
        for _ in range(rng.randint(1, 12)):
            pick = rng.random()
            if pick < 0.45:
                pieces.append("".join(rng.choices(common, k=rng.randint(1, 8))))
            elif pick < 0.6:
                pieces.append(rng.choice(vocabulary))
            elif pick < 0.7:  # any CJK character, rare ones and extension A included
                pieces.append("".join(chr(rng.randint(0x3400, 0x9FFF))
                                      for _ in range(rng.randint(1, 4))))
            elif pick < 0.8:
                pieces.append(rng.choice(["8楼", "3号楼2单元", "wifi", "AC", "1203室", "PM2.5",
                                          "A-12", "12:30", "100%", "C++", "x.y"]))
            else:
                pieces.append(rng.choice(PUNCTUATION))
        found.append("".join(pieces))
    assert len(found) > 3000
    return found


TEXTS = texts()


@pytest.fixture(scope="module")
def stock() -> Any:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    tokenizer.load_userdict(words._office_words())
    return tokenizer


@pytest.fixture(scope="module")
def compact(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        tokenizer = jieba.Tokenizer()
        words.install(tokenizer)
    assert isinstance(tokenizer.FREQ, words.Frequencies)
    tokenizer.load_userdict(words._office_words())
    return tokenizer


def cuts(tokenizer: Any) -> Iterator[tuple[str, str, list[str]]]:
    for text in TEXTS:
        yield text, "hmm", tokenizer.lcut(text)
        yield text, "no hmm", tokenizer.lcut(text, HMM=False)
        yield text, "all", tokenizer.lcut(text, cut_all=True)
        yield text, "search", tokenizer.lcut_for_search(text)


def assert_same_cuts(stock: Any, compact: Any) -> None:
    assert compact.total == stock.total
    differ = [(text, mode, a, b) for (text, mode, a), (_, _, b)
              in zip(cuts(stock), cuts(compact), strict=True) if a != b]
    assert differ == [], differ[:5]


def test_the_compact_dictionary_cuts_as_stock_jieba_does(stock: Any, compact: Any) -> None:
    assert_same_cuts(stock, compact)


def test_the_frequencies_jieba_reads_are_its_own(stock: Any, compact: Any) -> None:
    rng = random.Random(7)
    keys = [text[i:j] for text in TEXTS[::7] for i in range(len(text))
            for j in range(i + 1, min(len(text), i + 6) + 1) if rng.random() < 0.3]
    keys += [*office_words(), "", "水", "水龙", "中华人民共和", "zz", "不存在"]
    assert [(k, k in compact.FREQ, compact.FREQ.get(k), compact.FREQ.get(k, 1)) for k in keys] \
        == [(k, k in stock.FREQ, stock.FREQ.get(k), stock.FREQ.get(k, 1)) for k in keys]
    assert [compact.suggest_freq(w) for w in office_words()] \
        == [stock.suggest_freq(w) for w in office_words()]


def test_words_added_at_run_time_count_as_in_stock_jieba(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    stock, compact = jieba.Tokenizer(), jieba.Tokenizer()
    stock.initialize()
    words.install(compact)
    for tokenizer in (stock, compact):
        tokenizer.add_word("水管接头漏", 50000)  # longer than any word it starts with
        tokenizer.add_word("一直", 0)  # deleted: a dictionary word no longer cut out
        tokenizer.del_word("马桶")
        tokenizer.suggest_freq(("滴", "水"), tune=True)
        tokenizer.add_word("龘龘龘")  # unknown characters, frequency suggested
    assert_same_cuts(stock, compact)


def test_the_bots_jieba_is_the_compact_one() -> None:
    tokenizer = words.tokenizer()
    assert tokenizer is jieba.dt and words.tokenizer() is tokenizer
    assert isinstance(tokenizer.FREQ, words.Frequencies)
    assert "水龙头" in tokenizer.lcut("厨房水龙头一直滴水", HMM=False)


def test_the_cache_is_built_once_then_read_and_rebuilt_when_damaged(
        stock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with jieba.dt.get_dict_file() as source:
        built, total = words.load_frequencies(source)
    files = sorted((tmp_path / "frontline").iterdir())
    assert [f.suffix for f in files] == [".freq", ".trie"]
    assert [f.stat().st_mode & 0o777 for f in files] == [0o644, 0o644]
    stamps = [f.stat().st_mtime_ns for f in files]
    with jieba.dt.get_dict_file() as source:
        again, total_again = words.load_frequencies(source)
    assert [f.stat().st_mtime_ns for f in files] == stamps  # read, not rebuilt
    assert total_again == total > 0
    sample = ("一直", "中华人民共和", "不存在")
    assert [again.get(k) for k in sample] == [built.get(k) for k in sample] \
        == [stock.FREQ.get(k) for k in sample]

    freq_file = files[0]
    freq_file.write_bytes(freq_file.read_bytes()[:-4])  # a short file: not trusted
    with jieba.dt.get_dict_file() as source:
        rebuilt, total_rebuilt = words.load_frequencies(source)
    assert total_rebuilt == total
    assert [rebuilt.get(k) for k in sample] == [built.get(k) for k in sample]
    assert len(memoryview(freq_file.read_bytes())[8:].cast("I")) == len(rebuilt.trie)


def test_no_writable_cache_directory_still_loads(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setattr(words, "cache_dirs", lambda: [blocked / "frontline"])
    with jieba.dt.get_dict_file() as source:
        table, total = words.load_frequencies(source)
    assert total > 0 and table.get("中华人民共和") == 0 and table.get("不存在") is None
    assert (table.get("水龙头") or 0) > 0


@pytest.mark.parametrize("package", sorted(words.TABLES))
def test_the_pickled_hmm_tables_are_the_ones_in_jiebas_source(package: str) -> None:
    """What `_preload_tables` loads instead of compiling jieba's table modules."""
    import runpy

    root = Path(jieba.__file__).parent / package
    for name in words.TABLES[package]:
        with (root / f"{name}.p").open("rb") as f:
            assert pickle.load(f) == runpy.run_path(str(root / f"{name}.py"))["P"], name


def test_the_compact_hmm_emissions_are_jiebas_own(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """What `_preload_tables` gives jieba.finalseg instead of its 4 MB dict of floats, built
    once into the cache, read again, and kept in memory when no directory takes it."""
    import runpy

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = Path(jieba.__file__).parent / "finalseg" / "prob_emit.p"
    source = runpy.run_path(str(path.with_suffix(".py")))["P"]
    chars = [*sorted(set().union(*source.values())), "", "zz", "水龙头", "\U00020000", "a"]
    minimum = jieba.finalseg.MIN_FLOAT
    want = {s: [source[s].get(c, minimum) for c in chars] for s in words.STATES}
    built = words.load_emissions(path)
    files = sorted((tmp_path / "frontline").glob("jieba-emit-*"))
    assert [f.suffix for f in files] == [".prob", ".trie"]
    again = words.load_emissions(path)
    monkeypatch.setattr(words, "cache_dirs", lambda: [])
    in_memory = words.load_emissions(path)
    for table in (built, again, in_memory):
        assert sorted(table) == sorted(source)
        assert {s: [table[s].get(c, minimum) for c in chars] for s in words.STATES} == want
    assert isinstance(again["B"].logprobs, memoryview)


def test_a_new_cache_file_removes_the_older_ones_of_its_kind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each change of jieba's table (or of the layout) would leave its files behind, a few MB
    each: writing the new ones removes those of the same kind, in every cache directory, but
    not another kind's, another writer's temporary, or what cannot be removed; a process that
    has an old file mapped still reads it (Linux keeps an unlinked file while it is mapped)."""
    here, spare = tmp_path / "frontline", tmp_path / "tmp"
    monkeypatch.setattr(words, "cache_dirs", lambda: [here, spare])
    here.mkdir()
    spare.mkdir()
    older = [here / "jieba-emit-v1-100-200.trie", here / "jieba-emit-v1-100-200.prob",
             here / "jieba-emit-v0-5-6.prob", spare / "jieba-emit-v1-7-8.trie"]
    others = [here / "jieba-dict-v1-100-200.trie", here / "jieba-emit-v1-100-200.trie.k2x9",
              here / "jieba-emit-v1-100-200", here / "notes.txt"]
    for f in older + others:
        f.write_bytes(b"old" * 100)
    stuck = here / "jieba-emit-v1-9-9.prob"
    stuck.mkdir()  # cannot be unlinked: left, and the load goes on
    in_use = words.mapped(older[1])
    path = Path(jieba.__file__).parent / "finalseg" / "prob_emit.p"
    table = words.load_emissions(path)
    assert table["B"].get("水") is not None
    assert [f for f in older if f.exists()] == []
    assert [f for f in others if not f.exists()] == [] and stuck.is_dir()
    name = words.cache_name(words.EMISSIONS, words.FORMAT, path.stat())
    assert (here / f"{name}.trie").is_file() and (here / f"{name}.prob").is_file()
    assert in_use[:6] == b"oldold"


PROBE = """
import json, sys
from dialogs import words
cut = words.tokenizer().lcut
keywords = words.analyse()
texts = json.loads(sys.stdin.read())
print(json.dumps({"files": {name: sys.modules[name].__file__ for name in sorted(sys.modules)
                            if name.startswith(("jieba.finalseg.", "jieba.posseg."))},
                  "emissions": type(sys.modules["jieba.finalseg"].emit_P["S"]).__name__,
                  "cuts": [cut(text) for text in texts],
                  "tags": [keywords.extract_tags(text, topK=3) for text in texts]}))
"""


def test_a_fresh_process_reads_the_pickled_tables_and_cuts_the_same(stock: Any,
                                                                     tmp_path: Path) -> None:
    texts = TEXTS[::10]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", PROBE], input=json.dumps(texts), env=env,
                          capture_output=True, text=True, timeout=120, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    found = json.loads(done.stdout)
    tables = {f"jieba.{package}.{name}" for package, names in words.TABLES.items()
              for name in names}
    assert {name for name, file in found["files"].items() if file.endswith(".p")} == tables
    assert found["emissions"] == "Emissions"
    assert found["cuts"] == [stock.lcut(text) for text in texts]
    from jieba.analyse import TFIDF

    keywords = TFIDF()
    keywords.tokenizer = stock
    assert found["tags"] == [keywords.extract_tags(text, topK=3) for text in texts]
