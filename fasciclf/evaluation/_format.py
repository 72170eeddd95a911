"""Small formatting helpers shared by the HTML, Markdown and model-card output."""

from __future__ import annotations

import html
import math
from typing import Any

# Same words as fasciclf.models.DISCLAIMER, kept here so that rendering a
# report never imports the models package (and spaCy with it).
DISCLAIMER = (
    "fasciclf is a triage aid, not a diagnosis: a clinician must assess anyone "
    "with new, worsening or frightening symptoms."
)


def is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def pct(v: Any, digits: int = 0) -> str:
    """``0.8234 -> '82%'``; missing values become ``'n/a'``.

    >>> pct(0.8234), pct(float("nan")), pct(0.8234, 1)
    ('82%', 'n/a', '82.3%')
    """
    return f"{v:.{digits}%}" if is_num(v) else "n/a"


def ci_pct(ci: Any, digits: int = 0) -> str:
    """``[0.77, 0.86] -> '77–86%'``; missing interval -> ``''``.

    >>> ci_pct([0.771, 0.862])
    '77–86%'
    """
    if not ci or not all(is_num(c) for c in ci):
        return ""
    lo, hi = ci
    return f"{lo * 100:.{digits}f}–{hi * 100:.{digits}f}%"


def with_ci(v: Any, ci: Any, digits: int = 0) -> str:
    """``'82% (95% CI 77–86%)'``.

    >>> with_ci(0.82, [0.77, 0.86])
    '82% (95% CI 77–86%)'
    """
    c = ci_pct(ci, digits)
    return f"{pct(v, digits)} (95% CI {c})" if c else pct(v, digits)


def num(v: Any, digits: int = 3) -> str:
    return f"{v:.{digits}f}" if is_num(v) else "n/a"


def num_ci(v: Any, ci: Any, digits: int = 3) -> str:
    if ci and all(is_num(c) for c in ci):
        return f"{num(v, digits)} ({num(ci[0], digits)}–{num(ci[1], digits)})"
    return num(v, digits)


def pretty_label(label: Any) -> str:
    """Human-readable class name.

    >>> pretty_label("possible_motor_neuron_disease")
    'Possible motor neuron disease'
    """
    s = str(label).replace("_", " ").strip()
    return s[:1].upper() + s[1:] if s else s


def esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def md_cell(v: Any) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


def md_table(headers: list[str], rows: list[list[Any]]) -> str:
    """A GitHub-flavoured Markdown table.

    >>> print(md_table(["a", "b"], [[1, "x|y"]]))
    | a | b |
    | --- | --- |
    | 1 | x\\|y |
    """
    lines = ["| " + " | ".join(md_cell(h) for h in headers) + " |"]
    lines.append("| " + " | ".join("---" for _ in headers) + " |")
    lines += ["| " + " | ".join(md_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
