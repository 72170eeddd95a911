"""Report figures as inline SVG strings (matplotlib, no pyplot, no GUI backend).

Figures are drawn on :class:`matplotlib.figure.Figure` objects directly, so
rendering a report never changes the user's pyplot backend (e.g. inside a
notebook). Text is stored as paths, so the SVG looks the same without fonts.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from fasciclf.evaluation._format import is_num, pretty_label

_BLUE = "#1d4ed8"
_LIGHT = "#93c5fd"
_GREY = "#6b7280"
_RED = "#b91c1c"

_RC = {
    "svg.hashsalt": "fasciclf-report",  # deterministic ids across runs
    "svg.fonttype": "path",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#9ca3af",
    "xtick.color": "#374151",
    "ytick.color": "#374151",
    "axes.labelcolor": "#111827",
}


def _wrap(label: Any, width: int = 18) -> str:
    return "\n".join(textwrap.wrap(pretty_label(label), width)) or str(label)


def _to_svg(fig: Any, prefix: str, alt: str) -> str:
    buf = io.StringIO()
    fig.savefig(
        buf,
        format="svg",
        bbox_inches="tight",
        metadata={"Creator": None, "Date": None, "Format": None, "Type": None},
    )
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    # Several SVGs share one HTML document: make every id unique to its figure.
    svg = re.sub(r'\bid="([^"]+)"', lambda mt: f'id="{prefix}{mt.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda mt: f"url(#{prefix}{mt.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda mt: f'href="#{prefix}{mt.group(1)}"', svg)
    alt_attr = alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{alt_attr}" class="figure" ', 1)
    return svg.strip()


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _wilson(k: float, n: float) -> tuple[float, float]:
    if n <= 0:
        return (math.nan, math.nan)
    z = 1.959964
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, centre - half), min(1.0, centre + half))


def reliability_svg(rel: Mapping[str, Any], prefix: str = "rel-") -> str:
    """Top-label reliability diagram with per-bin Wilson 95% intervals."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(5.6, 5.0)
        grid = fig.add_gridspec(2, 1, height_ratios=[3.2, 1])
        ax = fig.add_subplot(grid[0])
        hist = fig.add_subplot(grid[1], sharex=ax)
        edges = rel["bin_edges"]
        counts = rel["count"]
        xs, ys, lo, hi, sizes = [], [], [], [], []
        for c, x, y in zip(counts, rel["mean_confidence"], rel["accuracy"], strict=True):
            if not c or not is_num(x) or not is_num(y):
                continue
            a, b = _wilson(y * c, c)
            xs.append(x)
            ys.append(y)
            lo.append(max(0.0, y - a))
            hi.append(max(0.0, b - y))
            sizes.append(c)
        ax.plot([0, 1], [0, 1], ls="--", color=_GREY, lw=1, label="Perfect calibration")
        if xs:
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt="none", ecolor=_LIGHT, elinewidth=2, capsize=0)
            ax.plot(xs, ys, color=_BLUE, lw=1.2)
            biggest = max(sizes)
            ax.scatter(
                xs,
                ys,
                s=[20 + 160 * s / biggest for s in sizes],
                color=_BLUE,
                zorder=3,
                label="Observed (dot size = number of cases;\nbar = 95% interval)",
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_ylabel("Share where the top\nsuggestion was right")
        ax.set_title("Does stated confidence match how often it is right?", loc="left")
        ax.legend(loc="best", frameon=True, framealpha=0.9, edgecolor="none", fontsize=8.5)
        ax.tick_params(labelbottom=False)
        ax.yaxis.set_major_formatter(_percent_formatter())
        widths = [edges[i + 1] - edges[i] for i in range(len(counts))]
        hist.bar(edges[:-1], counts, width=widths, align="edge", color=_LIGHT, edgecolor="white")
        from matplotlib.ticker import MaxNLocator

        hist.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
        hist.set_ylabel("Cases")
        hist.set_xlabel("Model's stated confidence in its top suggestion")
        hist.xaxis.set_major_formatter(_percent_formatter())
        return _to_svg(
            fig,
            prefix,
            "Reliability diagram: observed share correct against stated confidence, "
            "with a histogram of how many cases fall in each confidence band.",
        )


def _percent_formatter() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


def confusion_svg(
    labels: Sequence[str], counts: Sequence[Sequence[int]], prefix: str = "cm-"
) -> str:
    """Row-normalised confusion matrix heat map, annotated with % and counts."""
    import matplotlib
    import numpy as np

    c = np.asarray(counts, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = c / c.sum(axis=1, keepdims=True)
    n_l = len(labels)
    side = 1.9 + 0.78 * n_l
    with matplotlib.rc_context(_RC):
        fig = _figure(side + 1.2, side)
        ax = fig.add_subplot()
        masked = np.ma.masked_invalid(norm)
        image = ax.imshow(masked, cmap="Blues", vmin=0, vmax=1, aspect="equal")
        for i in range(n_l):
            for j in range(n_l):
                if not c[i, j]:
                    continue
                v = norm[i, j]
                colour = "white" if v > 0.55 else "#111827"
                ax.text(
                    j,
                    i,
                    f"{v:.0%}\n({int(c[i, j])})",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=colour,
                )
        names = [_wrap(lab, 16) for lab in labels]
        ax.set_xticks(
            range(n_l), names, rotation=45, ha="right", rotation_mode="anchor", fontsize=8.5
        )
        ax.set_yticks(range(n_l), names, fontsize=8.5)
        ax.set_xlabel("Model's top suggestion")
        ax.set_ylabel("Reference label")
        ax.spines[:].set_visible(False)
        ax.set_xticks(np.arange(n_l + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(n_l + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
        bar = fig.colorbar(image, ax=ax, shrink=0.6, format=_percent_formatter())
        bar.set_label("Share of the row (reference label)")
        return _to_svg(
            fig,
            prefix,
            "Confusion matrix: each row is a reference label; cells show the share and "
            "number of those cases given each top suggestion.",
        )


def per_class_svg(per_class: Mapping[str, Mapping[str, Any]], prefix: str = "pc-") -> str:
    """Forest plot of recall (sensitivity) and precision per class with 95% CIs."""
    import matplotlib

    names = list(per_class)
    n_l = len(names)
    with matplotlib.rc_context(_RC):
        fig = _figure(7.6, 0.9 + 0.42 * n_l)
        fig.get_layout_engine().set(wspace=0.06)
        axes = fig.subplots(1, 2, sharey=True)
        for ax, key, title, colour in (
            (axes[0], "recall", "Recall (sensitivity)\ncases of the class found", _BLUE),
            (
                axes[1],
                "precision",
                "Precision (positive predictive value)\nsuggestions of the class that were right",
                "#047857",
            ),
        ):
            for row, name in enumerate(names):
                d = per_class[name]
                v, ci = d.get(key), d.get(f"{key}_ci")
                if not is_num(v):
                    ax.text(0.02, row, "n/a", va="center", fontsize=8, color=_GREY)
                    continue
                if ci:
                    ax.plot(ci, [row, row], color=colour, alpha=0.35, lw=4, solid_capstyle="butt")
                ax.plot([v], [row], "o", color=colour, ms=6)
            ax.set_xlim(0, 1.0)
            ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
            ax.xaxis.set_major_formatter(_percent_formatter())
            ax.set_title(title, loc="left", fontsize=9.5)
            ax.grid(axis="x", color="#e5e7eb", lw=0.8)
            ax.set_axisbelow(True)
        axes[0].set_yticks(
            range(n_l),
            [f"{pretty_label(nm)} (n={per_class[nm].get('support', 0)})" for nm in names],
        )
        axes[0].set_ylim(n_l - 0.5, -0.5)
        return _to_svg(
            fig,
            prefix,
            "Per-class recall and precision with 95% confidence intervals.",
        )


def subgroup_svg(
    subgroups: Mapping[str, Mapping[str, Mapping[str, Any]]],
    overall: float,
    prefix: str = "sg-",
) -> str:
    """Forest plot of top-1 accuracy per subgroup with 95% CIs."""
    import matplotlib

    rows: list[tuple[str, Mapping[str, Any] | None]] = []
    for name, table in subgroups.items():
        rows.append((pretty_label(name), None))
        rows += [(f"   {level}  (n={row['n']})", row) for level, row in table.items()]
    with matplotlib.rc_context(_RC):
        fig = _figure(6.4, 0.8 + 0.3 * len(rows))
        ax = fig.add_subplot()
        for i, (_label, row) in enumerate(rows):
            if row is None:
                continue
            colour = _GREY if row.get("small") else _BLUE
            ci = row.get("accuracy_ci")
            if ci:
                ax.plot(ci, [i, i], color=colour, alpha=0.35, lw=4, solid_capstyle="butt")
            ax.plot([row["accuracy"]], [i], "o", color=colour, ms=5.5)
        ax.axvline(overall, color=_GREY, ls="--", lw=1)
        ax.text(overall, -0.9, " all cases", color=_GREY, fontsize=8, va="bottom")
        ax.set_yticks(range(len(rows)), [r[0] for r in rows])
        for tick, (_label, row) in zip(ax.get_yticklabels(), rows, strict=True):
            if row is None:
                tick.set_fontweight("bold")
            elif row.get("small"):
                tick.set_color(_GREY)
        ax.set_ylim(len(rows) - 0.5, -1.0)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(_percent_formatter())
        ax.set_xlabel("Top suggestion right (grey: fewer than 30 cases, read with care)")
        ax.grid(axis="x", color="#e5e7eb", lw=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        return _to_svg(fig, prefix, "Accuracy per subgroup with 95% confidence intervals.")
