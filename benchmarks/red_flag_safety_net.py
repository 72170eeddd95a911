"""Red flags from rules alone, the model alone, and both, on a held-out split.

Usage::

    python benchmarks/red_flag_safety_net.py [--split test]

Prints sensitivity and specificity for the red-flag classes of the packaged
default model (``red_flag_classes_``): a text counts as flagged by the rules
when any rule fires, by the model when the summed probability of the
red-flag classes reaches ``red_flag_threshold_`` (chosen by ``train`` on
out-of-fold probabilities for ``red_flag_sensitivity``), and by both when
either does. ``predict`` adds the model's flag only where no rule fired.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="test", help="labeled split (default: test)")
    args = parser.parse_args(argv)

    from fasciclf.data import load_labeled
    from fasciclf.models import MODEL_FLAG_CODE, default_model, predict_many

    model = default_model()
    frame = load_labeled(args.split)
    preds = predict_many(frame["text"].tolist(), model=model)
    red = frame["label"].isin(model.red_flag_classes_).to_numpy()
    rules = np.array([any(f.code != MODEL_FLAG_CODE for f in p.red_flags) for p in preds])
    p_red = np.array([sum(p.probabilities[c] for c in model.red_flag_classes_) for p in preds])
    alone = p_red >= model.red_flag_threshold_
    print(
        f"split {args.split!r}: {red.sum()} red-flag cases of {len(red)}; classes "
        f"{', '.join(model.red_flag_classes_)}; threshold {model.red_flag_threshold_:.3f} "
        f"(target sensitivity {model.red_flag_sensitivity})"
    )
    for name, flagged in (("rules alone", rules), ("model alone", alone), ("both", rules | alone)):
        sens, spec = flagged[red].mean(), (~flagged[~red]).mean()
        print(
            f"{name:12s} sensitivity {sens:.3f} ({flagged[red].sum()}/{red.sum()})  "
            f"specificity {spec:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
