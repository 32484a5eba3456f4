"""FAQ benchmark: accuracy on the held-out questions, per language, and a threshold sweep.

    uv run python -m tests.benchmarks.faq_bench [--faq PATH] [--min-score X] [--misses]
    uv run python -m tests.benchmarks.faq_bench --out-of-scope


A held-out question is right when the FAQ answers it with its entry, or — for the questions
the FAQ must not answer (``"faq": null``) — when it answers nothing and the question goes to
the desk. ``tests/data/faq-heldout.jsonl`` was written before the FAQ's variants, from the
list of topics only. Prints figures; asserts nothing.

``--out-of-scope`` counts how many of ``tests/data/faq-out-of-scope-blind.jsonl`` (questions
the FAQ must NOT answer, written without seeing the FAQ) it answers anyway, per language. That
file is blind: only the counts are printed, never its questions or what they matched, so it
can measure a change without being tuned on.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from dialogs.faq import FaqIndex
from handlers.front_desk.faq import DEFAULT_PATH, load_faq
from handlers.office.rules import OfficeRules

DATA = Path(__file__).resolve().parents[1] / "data"
HELDOUT = DATA / "faq-heldout.jsonl"  # measured, never tuned on
DEV = DATA / "faq-dev.jsonl"  # what the variants and the threshold were tuned on
OUT_OF_SCOPE = DATA / "faq-out-of-scope-blind.jsonl"  # measured in aggregate only, never read


def load_heldout(path: Path = HELDOUT) -> list[dict[str, str | None]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def accuracy(index: FaqIndex, rows: list[dict[str, str | None]], min_score: float
             ) -> tuple[float, Counter[str], Counter[str], list[tuple[str, str | None, str]]]:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[tuple[str, str | None, str]] = []
    for row in rows:
        text, want, language = str(row["text"]), row["faq"], str(row["language"])
        found = index.match(text, min_score)
        got = found.key if found else None
        total[language] += 1
        if got == want:
            right[language] += 1
        else:
            top = index.rank(text)[:1]
            misses.append((text, want, f"{got} ({top[0].key} {top[0].score:.2f})" if top
                           else str(got)))
    return sum(right.values()) / max(sum(total.values()), 1), right, total, misses


def false_answers(index: FaqIndex, rows: list[dict[str, str | None]], min_score: float
                  ) -> tuple[Counter[str], Counter[str]]:
    """How many of *rows* (none of which the FAQ should answer) it answers, per language, and
    how many there are: counts only, nothing that would show the questions."""
    answered: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in rows:
        language = str(row.get("lang") or row.get("language"))
        total[language] += 1
        if index.match(str(row["text"]), min_score) is not None:
            answered[language] += 1
    return answered, total


def report_out_of_scope(index: FaqIndex, min_score: float) -> None:
    rows = load_heldout(OUT_OF_SCOPE)
    answered, total = false_answers(index, rows, min_score)
    print(f"out of scope (blind) {len(rows)} questions; min score {min_score:.2f}")
    print(f"false answers {sum(answered.values())}/{sum(total.values())}")
    for language in sorted(total):
        print(f"  {language:8} {answered[language]}/{total[language]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--faq", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--min-score", type=float, default=OfficeRules().faq_min_score)
    parser.add_argument("--misses", action="store_true", help="print the misses")
    parser.add_argument("--dev", action="store_true", help="the tuning set instead")
    parser.add_argument("--out-of-scope", action="store_true",
                        help="false answers on the blind out-of-scope file (counts only)")
    args = parser.parse_args()
    index = load_faq(args.faq)
    if args.out_of_scope:
        report_out_of_scope(index, args.min_score)
        return
    rows = load_heldout(DEV if args.dev else HELDOUT)
    share, right, total, misses = accuracy(index, rows, args.min_score)
    print(f"FAQ {args.faq.name}: {len(index.entries)} entries, {len(index.docs)} variants; "
          f"{'dev' if args.dev else 'held-out'} {len(rows)} questions; "
          f"min score {args.min_score:.2f}")
    print(f"accuracy {share:.1%} ({sum(right.values())}/{sum(total.values())})")
    for language in sorted(total):
        print(f"  {language:8} {right[language]}/{total[language]}")
    print("threshold sweep:", "  ".join(
        f"{t:.2f}:{accuracy(index, rows, t)[0]:.0%}" for t in
        (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)))
    if args.misses:
        for text, want, got in misses:
            print(f"  miss: {text!r}: want {want}, got {got}")


if __name__ == "__main__":
    main()
