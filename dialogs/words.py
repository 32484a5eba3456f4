"""The office's words: jieba's segmentation with the office's user dictionary, loaded once per
process for triage, the FAQ and the monthly report (`tokenizer()`, `analyse()`).

jieba keeps its dictionary as a Python dict of ~498k words and prefixes: tens of MB of RSS and
0.6 s of CPU in every process. Here the same words live in a marisa trie (word → id) beside an
array of their frequencies, built once from jieba's own dict.txt into cache files mapped with
mmap, so the pages are shared by every process on the machine and only those touched count.
jieba's default tokenizer (`jieba.dt`, which `jieba.cut`, `lcut`, `posseg` and `analyse` all
use) reads them through `Frequencies`, a stand-in for its dict, with its `get_DAG` and `calc`
taking the same steps as jieba's; everything else is jieba's own code, so the words come out
exactly as stock jieba cuts them (tests/unit/test_words.py proves it). jieba's HMM tables are
loaded from the pickles it ships rather than compiled from its source (see `TABLES`); the
cutter's emission table, a dict of ~35,000 floats (4 MB), is a trie and an array cached the same
way (`Emissions`).

The only I/O: jieba's files, the cache files (the first start builds them: ~1 s, and removes
those of an older source or layout), and the user dictionary (dialogs/triage/data/userdict.txt).
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import logging
import math
import mmap
import os
import pickle
import sys
import tempfile
import threading
import types
import warnings
from array import array
from collections.abc import Callable, Sequence
from functools import cache, partial
from pathlib import Path
from typing import IO, Any, Final, TypeVar

import marisa_trie

log = logging.getLogger(__name__)

# Part of the cache file's name: a change to the layout below must not read an older file.
FORMAT: Final = 1
# The kinds of cache file (their names' first part): jieba's dictionary, its HMM table.
DICTIONARY: Final = "jieba-dict"
EMISSIONS: Final = "jieba-emit"
USER_DICTIONARY: Final = Path(__file__).parent / "triage" / "data" / "userdict.txt"
# The frequency file: the total (unsigned 64-bit), then one unsigned 32-bit frequency per
# trie id.
_HEADER: Final = 8
RECENT: Final = 20_000  # fragments remembered (about 2 MB), then forgotten all at once
_UNSEEN: Final[Any] = object()
T = TypeVar("T")


class Frequencies:
    """jieba's FREQ answered from the trie: a word's frequency, 0 for a prefix of a word, and
    absent (None) otherwise, as jieba's own dict holds them. Words jieba adds at run time
    (`load_userdict`, `add_word`, `suggest_freq(tune=True)`) go to a small dict in front,
    `added`. What was looked up lately is remembered in `recent` (a marisa lookup costs about
    ten dict lookups), a few thousand short strings at most."""

    def __init__(self, trie: marisa_trie.Trie, freqs: memoryview) -> None:
        self.trie = trie
        self.freqs = freqs
        self.added: dict[str, int] = {}
        self.recent: dict[str, int | None] = {}

    def _find(self, key: str) -> int | None:
        found = self.added.get(key)
        if found is not None:
            return found
        word = self.trie.get(key)
        if word is not None:
            return int(self.freqs[word])
        if key and any(True for _ in self.trie.iterkeys(key)):
            return 0  # a prefix of a word
        return None

    def _remember(self, key: str) -> int | None:
        found = self._find(key)
        if len(self.recent) >= RECENT:
            self.recent.clear()
        self.recent[key] = found
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __getitem__(self, key: str) -> int:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: str, default: int | None = None) -> int | None:
        found = self.recent.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._remember(key)
        return default if found is None else found

    def __setitem__(self, key: str, freq: int) -> None:
        self.added[key] = freq
        self.recent.pop(key, None)

    def get_DAG(self, sentence: str) -> Dag:
        """jieba's `Tokenizer.get_DAG`, the same walk: for each position, the ends of the
        words of non-zero frequency starting there (the position itself when there is none),
        trying longer fragments while they are words or prefixes of words."""
        dag = Dag()
        weights = dag.weights
        recent, remember = self.recent, self._remember
        n = len(sentence)
        for k in range(n):
            ends, found = [], []
            i = k
            frag = sentence[k]
            while i < n:
                freq = recent.get(frag, _UNSEEN)
                if freq is _UNSEEN:
                    freq = remember(frag)
                if freq is None:
                    break
                if freq:
                    ends.append(i)
                    found.append(freq)
                i += 1
                frag = sentence[k:i + 1]
            if ends:
                dag[k], weights[k] = ends, found
            else:  # jieba's FREQ.get(char) or 1: a word of non-zero frequency is listed above
                dag[k], weights[k] = [k], [1]
        return dag


class Dag(dict[int, list[int]]):
    """`get_DAG`'s answer, with each word's frequency beside it, so `calc` need not look
    every word up again."""

    __slots__ = ("weights",)

    def __init__(self) -> None:
        super().__init__()
        self.weights: dict[int, list[int]] = {}


def calc(tokenizer: Any, sentence: str, dag: dict[int, list[int]],
         route: dict[int, tuple[float, int]]) -> None:
    """jieba's `Tokenizer.calc` (the most probable path, right to left), the same arithmetic
    in the same order, reading the frequencies `get_DAG` found."""
    weights = getattr(dag, "weights", None)
    if weights is None:  # a DAG built elsewhere
        type(tokenizer).calc(tokenizer, sentence, dag, route)
        return
    log = math.log
    n = len(sentence)
    route[n] = (0, 0)
    logtotal = log(tokenizer.total)
    for idx in range(n - 1, -1, -1):
        route[idx] = max((log(f) - logtotal + route[x + 1][0], x)
                         for x, f in zip(dag[idx], weights[idx], strict=False))


def cache_dirs() -> list[Path]:
    """Where compiled data is kept (this dictionary, triage's model): the user's cache
    directory, or the temporary directory (as jieba does) when there is no writable home,
    e.g. for a locked-down service."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [Path(home) / "frontline", Path(tempfile.gettempdir())]


def cache_name(kind: str, version: int | str, source: os.stat_result) -> str:
    """The name (less its suffix) of *kind*'s cache files for this *source* and this *version*
    of their layout: another source, or another layout, is another name."""
    return f"{kind}-v{version}-{source.st_size}-{source.st_mtime_ns}"


def cached(what: str, read: Callable[[Path], T | None], write: Callable[[Path], object], *,
           kind: str, name: str) -> T | None:
    """What *read* finds in the first cache directory that holds it; else *write* it into the
    first directory that takes it and read it back there, and remove *kind*'s files of other
    names (see `_forget_older`). None when no directory can hold it (the caller keeps it in
    memory). *name* is `cache_name`'s, for *kind*."""
    dirs = cache_dirs()
    for directory in dirs:
        found = read(directory)
        if found is not None:
            return found
    for directory in dirs:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            write(directory)
        except OSError as exc:
            log.info("cannot cache %s in %s (%s)", what, directory, exc)
            continue
        found = read(directory)
        if found is not None:
            _forget_older(dirs, kind, name)
            return found
    return None


def _forget_older(dirs: Sequence[Path], kind: str, name: str) -> None:
    """Remove *kind*'s cache files in *dirs* that are not *name*'s: left by an older source or
    layout, a few MB each, read by nobody again. A process still using one is not disturbed:
    on Linux a mapped file lives on, unlinked, until its last mapping goes; where an open
    file cannot be removed (Windows) it stays until a later write. Another writer's temporary
    (``<name>.<suffix>.<random>``, see `replace_file`) is left alone."""
    for directory in dirs:
        try:
            found = list(directory.glob(f"{kind}-v*"))
        except OSError:
            continue
        for path in found:
            stem, _, suffix = path.name.partition(".")
            if stem == name or not suffix or "." in suffix:
                continue
            try:
                path.unlink()
            except OSError as exc:  # in use, or another user's (the temporary directory)
                log.info("cannot remove the old cache file %s (%s)", path, exc)


def _cache_name(source: IO[bytes]) -> str:
    return cache_name(DICTIONARY, FORMAT, os.fstat(source.fileno()))


def mapped(path: Path) -> mmap.mmap:
    """*path* mapped read-only: its pages shared by every process that maps it."""
    with path.open("rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _read(trie_path: Path, freq_path: Path) -> tuple[Frequencies, int] | None:
    if not (trie_path.is_file() and freq_path.is_file()):
        return None
    try:
        trie = marisa_trie.Trie().mmap(str(trie_path))
        view = memoryview(mapped(freq_path))
        (total,) = view[:_HEADER].cast("Q")
        freqs = view[_HEADER:].cast("I")
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        log.warning("words: cannot read the cached dictionary %s (%s); building it again",
                    trie_path, exc)
        return None
    if len(freqs) != len(trie):  # written by another version: build again
        return None
    return Frequencies(trie, freqs), int(total)


def _compile(source: IO[bytes]) -> tuple[marisa_trie.Trie, array[int], int]:
    """Read jieba's dictionary as `Tokenizer.gen_pfdict` does: a word's last line gives its
    frequency, and the total counts every line."""
    words: dict[str, int] = {}
    total = 0
    for lineno, line in enumerate(source, 1):
        text = line.strip().decode("utf-8")
        try:
            word, count = text.split(" ")[:2]
            words[word] = int(count)
        except ValueError:
            raise ValueError(f"invalid dictionary entry at line {lineno}: {text}") from None
        total += words[word]
    trie = marisa_trie.Trie(words)
    freqs = array("I", bytes(4 * len(trie)))
    for word, freq in words.items():
        freqs[trie[word]] = freq
    return trie, freqs, total


def _write(trie: marisa_trie.Trie, freqs: array[int], total: int,
           trie_path: Path, freq_path: Path) -> None:
    header = array("Q", [total]).tobytes()
    replace_file(trie_path, trie.save)
    replace_file(freq_path, lambda name: Path(name).write_bytes(header + freqs.tobytes()))


def replace_file(path: Path, write: Callable[[str], object]) -> None:
    """Write beside *path* and rename into place, so a process starting at the same moment
    reads a whole file or none (two writers write the same bytes)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    os.close(fd)
    try:
        os.chmod(temporary, 0o644)  # read by the office's other processes too
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def load_frequencies(source: IO[bytes]) -> tuple[Frequencies, int]:
    """The compact dictionary of *source* (jieba's dict.txt), and its total: from the cache,
    or compiled and cached."""
    name = _cache_name(source)
    compiled = cache(lambda: _compile(source))
    found = cached("the dictionary",
                   lambda directory: _read(directory / f"{name}.trie", directory / f"{name}.freq"),
                   lambda directory: _write(*compiled(), directory / f"{name}.trie",
                                            directory / f"{name}.freq"),
                   kind=DICTIONARY, name=name)
    if found is not None:
        return found
    log.warning("words: no writable cache directory; jieba's dictionary kept in memory")
    trie, freqs, total = compiled()
    return Frequencies(trie, memoryview(freqs)), total


def install(tokenizer: Any) -> None:
    """Give a jieba Tokenizer that has not loaded its dictionary the compact one instead."""
    with tokenizer.lock, tokenizer.get_dict_file() as source:
        table, total = load_frequencies(source)
        tokenizer.FREQ = table
        tokenizer.total = total
        tokenizer.get_DAG = table.get_DAG
        tokenizer.calc = partial(calc, tokenizer)
        tokenizer.initialized = True


def _office_words() -> io.StringIO:
    """The user dictionary without its comment lines (jieba would read them as words)."""
    lines = [ln for ln in USER_DICTIONARY.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    return io.StringIO("\n".join(lines))


# jieba's HMM tables (finalseg's for cutting with the HMM, posseg's for jieba.analyse) are
# Python literals of 1–4 MB: compiled from source, as wherever the service cannot write a
# .pyc, one costs ~60 MB of RSS and 0.2 s. jieba ships the same tables pickled beside them
# (for Jython); its own files, so no less trusted than its code.
TABLES: Final = {"finalseg": ("prob_start", "prob_trans", "prob_emit"),
                 "posseg": ("char_state_tab", "prob_start", "prob_trans", "prob_emit")}


def _preload_tables(package: str) -> None:
    """Put jieba's pickled tables of *package* where its `from .prob_emit import P` finds
    them, unless that module is already loaded."""
    spec = importlib.util.find_spec("jieba")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        return
    root = Path(spec.submodule_search_locations[0])
    for name in TABLES[package]:
        module_name, path = f"jieba.{package}.{name}", root / package / f"{name}.p"
        if module_name in sys.modules or not path.is_file():
            continue
        module = types.ModuleType(module_name)
        module.__file__ = str(path)
        compact = (package, name) == ("finalseg", "prob_emit")
        module.P = load_emissions(path) if compact else (  # type: ignore[attr-defined]
            pickle.loads(path.read_bytes()))
        sys.modules[module_name] = module


STATES: Final = "BEMS"  # the HMM's states: a word's begin, end, middle, a single character


class Emissions:
    """One HMM state's log-probabilities of emitting each character, as jieba's
    `finalseg.prob_emit.P[state]` dict answers them (its `viterbi` only calls `get`): a trie
    of the characters beside an array, instead of ~35,000 Python floats and strings (4 MB)."""

    __slots__ = ("chars", "logprobs")

    def __init__(self, chars: marisa_trie.Trie, logprobs: Sequence[float]) -> None:
        self.chars = chars
        self.logprobs = logprobs  # NaN where this state never emits the character

    def get(self, char: str, default: float | None = None) -> float | None:
        found = self.chars.get(char)
        if found is None:
            return default
        logprob = float(self.logprobs[found])
        return default if math.isnan(logprob) else logprob


def _read_emissions(trie_path: Path, prob_path: Path) -> dict[str, Emissions] | None:
    if not (trie_path.is_file() and prob_path.is_file()):
        return None
    try:
        chars = marisa_trie.Trie().mmap(str(trie_path))
        logprobs = memoryview(mapped(prob_path)).cast("d")
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        log.warning("words: cannot read the cached HMM table %s (%s); building it again",
                    prob_path, exc)
        return None
    n = len(chars)
    if len(logprobs) != n * len(STATES):  # written by another version: build again
        return None
    return {state: Emissions(chars, logprobs[k * n:(k + 1) * n])
            for k, state in enumerate(STATES)}


def _compile_emissions(path: Path) -> tuple[marisa_trie.Trie, array[float]]:
    table: dict[str, dict[str, float]] = pickle.loads(path.read_bytes())
    if set(table) != set(STATES):
        raise ValueError(f"{path}: HMM states {sorted(table)}, not {list(STATES)}")
    chars = marisa_trie.Trie(set().union(*table.values()))
    logprobs = array("d", [math.nan]) * (len(chars) * len(STATES))
    for k, state in enumerate(STATES):
        for char, logprob in table[state].items():
            logprobs[k * len(chars) + chars[char]] = logprob
    return chars, logprobs


def load_emissions(path: Path) -> dict[str, Emissions]:
    """jieba's `finalseg/prob_emit.p` as `Emissions` per state: from the cache, or compiled
    and cached."""
    name = cache_name(EMISSIONS, FORMAT, path.stat())
    compiled = cache(lambda: _compile_emissions(path))

    def write(directory: Path) -> None:
        chars, logprobs = compiled()
        replace_file(directory / f"{name}.trie", chars.save)
        replace_file(directory / f"{name}.prob",
                     lambda target: Path(target).write_bytes(logprobs.tobytes()))

    found = cached("the HMM table",
                   lambda directory: _read_emissions(directory / f"{name}.trie",
                                                     directory / f"{name}.prob"), write,
                   kind=EMISSIONS, name=name)
    if found is not None:
        return found
    chars, logprobs = compiled()
    view = memoryview(logprobs)
    n = len(chars)
    return {state: Emissions(chars, view[k * n:(k + 1) * n]) for k, state in enumerate(STATES)}


def _quietly_import(module: str) -> Any:
    with warnings.catch_warnings():
        # jieba 0.42 imports pkg_resources and has invalid escape sequences: noise.
        warnings.filterwarnings("ignore", message=".*pkg_resources.*")
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        return importlib.import_module(module)


_lock = threading.Lock()
_ready: Any = None
_analyse: Any = None


def tokenizer() -> Any:
    """jieba's default tokenizer with the compact dictionary and the office's words, loaded
    on first use (once per process, whichever thread asks first). Typed loosely: jieba ships
    no type hints."""
    global _ready
    if _ready is not None:
        return _ready
    with _lock:
        if _ready is None:
            _preload_tables("finalseg")
            jieba = _quietly_import("jieba")
            jieba.setLogLevel(logging.WARNING)
            if not jieba.dt.initialized:  # else someone loaded stock jieba first: keep it
                install(jieba.dt)
            jieba.dt.load_userdict(_office_words())
            _ready = jieba.dt
    return _ready


def analyse() -> Any:
    """`jieba.analyse` (TF-IDF keywords, for the monthly report), cutting with `tokenizer()`."""
    global _analyse
    tokenizer()
    with _lock:
        if _analyse is None:
            _preload_tables("posseg")
            _analyse = _quietly_import("jieba.analyse")
    return _analyse
