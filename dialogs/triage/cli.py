"""`frontline triage train`: rebuild the learned model file, optionally with cross-validation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ._load import MODEL_FILE, data_dir


def train_command(cv: bool = False, check: bool = False,
                  out: Callable[[str], object] = print, target: Path | None = None) -> int:
    """Train and write the model; with `check`, only compare. Returns an exit code."""
    try:
        from ._load import get_keyword_model
        from ._train import cross_validate, default_paths, featurize, read_rows, train
    except ImportError as error:  # pragma: no cover - the dev group is installed in CI
        out(f"training needs the dev dependencies (uv sync): {error}")
        return 2
    target = target or data_dir() / MODEL_FILE
    data, summary = train()
    out(f"trained on {summary['rows']} messages from {len(summary['files'])} files; "
        f"{summary['vocabulary']} features, {summary['bytes'] / 1024:.0f} KiB")
    if cv:
        model = get_keyword_model()
        rows = read_rows(default_paths())
        scores = cross_validate(model, rows, feats=featurize(model, [r.text for r in rows]))
        for group, heads in scores.items():
            figures = "  ".join(f"{h} {100 * a / b:5.1f}% ({a}/{b})" if b else f"{h} n/a"
                                for h, (a, b) in heads.items())
            out(f"  cv {group:<14} {figures}")
    if check:
        same = target.exists() and target.read_bytes() == data
        verdict = "up to date" if same else "OUT OF DATE: run `frontline triage train`"
        out(f"{target.name} is {verdict}")
        return 0 if same else 1
    target.write_bytes(data)
    out(f"wrote {target}")
    return 0
