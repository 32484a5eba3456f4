"""FAQ benchmark: accuracy on the held-out questions, per language, and a threshold sweep.

    uv run python -m tests.benchmarks.faq_bench [--faq PATH] [--min-score X] [--misses]

A held-out question is right when the FAQ answers it with its entry, or — for the questions
the FAQ must not answer (``"faq": null``) — when it answers nothing and the question goes to
the desk. ``tests/data/faq-heldout.jsonl`` was written before the FAQ's variants, from the
list of topics only. Prints figures; asserts nothing.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--faq", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--min-score", type=float, default=OfficeRules().faq_min_score)
    parser.add_argument("--misses", action="store_true", help="print the misses")
    parser.add_argument("--dev", action="store_true", help="the tuning set instead")
    args = parser.parse_args()
    index = load_faq(args.faq)
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
