"""Renderers: the report and model card as HTML and Markdown, through Jinja2 templates.

Two environments over ``templates/``: HTML with autoescaping on, and Markdown
whose ``finalize`` hook escapes every ``{{ value }}`` with :func:`md_escape`,
so labels, group values, file names and patient text can never become markup
in either format. Only plots we draw ourselves are marked safe.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from fasciclf._vocab import DISCLAIMER
from fasciclf.evaluation import _flag_sources as FS
from fasciclf.evaluation import _format as F

MAX_ERRORS_HTML = 30
MAX_ERRORS_NOTEBOOK = 10
MAX_ERRORS_MD = 20
# The card sections whose figures the report page already shows as its own tables.
CARD_SECTIONS_IN_REPORT = ("Quantitative analyses",)

_STATUS_NAMES = {
    "present": "present",
    "absent": "denied",
    "uncertain": "uncertain",
    "hypothetical": "hypothetical",
    "historical": "in the past",
    "family": "family member",
    "red_flag": "red flag",
}
# CommonMark/GFM punctuation that can start markup (emphasis, links and images,
# code, raw HTML and autolinks, entities, table cells, headings, strikethrough),
# escaped with a backslash. Parentheses only matter after "]", which is escaped.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#!|~&])")


def md_escape(value: Any) -> str:
    r"""Text safe inside Markdown: no markup, raw HTML, entity or table cell break.

    Markdown-safe values (already rendered by us) pass unchanged. Newlines
    become spaces so a value cannot leave its table row or list item.

    >>> md_escape('<script>alert(1)</script> | *x*')
    '\\<script\\>alert(1)\\</script\\> \\| \\*x\\*'
    >>> md_escape(None)
    ''
    """
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    text = " ".join(str(value).splitlines())
    return _MD_SPECIAL.sub(r"\\\1", text)


def _highlight(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The case text cut into plain and highlighted segments (escaped by the template).

    Red-flag spans win over ordinary findings that start at the same place;
    overlapping later spans are dropped so the markup stays well formed.
    """
    text = case.get("text") or ""
    spans = case.get("evidence") or []
    ordered = sorted(spans, key=lambda s: (s["start"], s["status"] != "red_flag", -s["end"]))
    out, pos = [], 0
    for s in ordered:
        start, end = s["start"], s["end"]
        if start < pos or end <= start or end > len(text):
            continue
        out.append({"text": text[pos:start]})
        status = s["status"] if s["status"] in _STATUS_NAMES else "uncertain"
        concept = s["concept"].replace("red flag: ", "").replace("_", " ")
        tag = f"{concept}: {_STATUS_NAMES[status]}"
        out.append({"text": text[start:end], "status": status, "tag": tag})
        pos = end
    out.append({"text": text[pos:]})
    return out


def _case_id(case_id: Any) -> str:
    # Cases without an id are numbered by their 0-based position in the input.
    return f"#{case_id}" if isinstance(case_id, int) else str(case_id)


def _excerpt(text: Any, limit: int = 140) -> str:
    if not isinstance(text, str):
        return ""
    t = " ".join(text.split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def _pair(ci: Any, digits: int = 2) -> str:
    return f"{F.num(ci[0], digits)}–{F.num(ci[1], digits)}" if ci else "n/a"


@functools.cache
def _environment(kind: str) -> Any:
    import jinja2

    options: dict[str, Any] = {
        "loader": jinja2.PackageLoader("fasciclf.evaluation", "templates"),
        # Optional metrics (abstention, subgroups, ...) may be absent: they read as empty.
        "undefined": jinja2.ChainableUndefined,
        "keep_trailing_newline": True,
    }
    if kind == "html":
        options["autoescape"] = True
    else:
        options["autoescape"] = False
        options["finalize"] = md_escape
    env = jinja2.Environment(**options)  # noqa: S701 - Markdown escapes in finalize
    env.filters.update(
        pct=F.pct,
        ci_pct=F.ci_pct,
        with_ci=F.with_ci,
        num=F.num,
        num_ci=F.num_ci,
        pretty=F.pretty_label,
        case_id=_case_id,
        highlight=_highlight,
        excerpt=_excerpt,
        pair=_pair,
        source_cell=F.source_cell,
    )
    return env


def _common(report: Any) -> dict[str, Any]:
    m = report.metrics
    return {
        "m": m,
        "created": report.created,
        "disclaimer": DISCLAIMER,
        "sentences": report.summary_sentences(),
        "source_names": FS.SOURCE_NAMES,
        "sources_definition": FS.SOURCES_DEFINITION,
    }


def report_html(report: Any, *, full: bool) -> str:
    """The report page (``full``) or a notebook fragment."""
    from fasciclf.evaluation import _plots

    m = report.metrics
    meta = m.get("model") or {}
    version = meta.get("model_version") or ""
    kind = f" ({meta['kind']})" if meta.get("kind") else ""
    heading = " ".join(p for p in ("Evaluation report: fasciclf triage model", version) if p)
    plots = {
        "per_class": Markup(_plots.per_class_svg(m["per_class"], prefix="f1-")),
        "confusion": Markup(
            _plots.confusion_svg(
                m["confusion_matrix"]["labels"], m["confusion_matrix"]["counts"], prefix="f2-"
            )
        ),
        "reliability": Markup(_plots.reliability_svg(m["reliability"], prefix="f3-")),
        "subgroups": Markup(
            _plots.subgroup_svg(m["subgroups"], m["accuracy"], prefix="f4-")
            if m.get("subgroups")
            else ""
        ),
    }
    context = {
        **_common(report),
        "full": full,
        "heading": heading + kind,
        "title": "fasciclf evaluation report" + (f" – {version}" if version else ""),
        "toc": _toc(m, full),
        "plots": plots,
        "mixups": _mixups(m),
        "max_errors": MAX_ERRORS_HTML if full else MAX_ERRORS_NOTEBOOK,
        "card_html": (
            Markup(card_html(report.model_card(), 3, skip=CARD_SECTIONS_IN_REPORT)) if full else ""
        ),
    }
    return _environment("html").get_template("report.html.j2").render(context)


def _toc(m: Mapping[str, Any], full: bool) -> list[tuple[str, str]]:
    toc = [("summary", "Summary"), ("red-flags", "Red flags"), ("per-class", "Per category")]
    toc += [("confusion", "Mix-ups"), ("calibration", "Calibration")]
    if m["abstention"].get("available"):
        toc.append(("abstention", "Abstention"))
    if m.get("subgroups"):
        toc.append(("subgroups", "Subgroups"))
    toc.append(("errors", "Errors"))
    if full:
        toc += [("model-card", "Model card"), ("methods", "Methods")]
    return toc


def _mixups(m: Mapping[str, Any]) -> list[tuple[int, str, str]]:
    cm = m["confusion_matrix"]
    labels = cm["labels"]
    pairs = [
        (c, labels[i], labels[j])
        for i, row in enumerate(cm["counts"])
        for j, c in enumerate(row)
        if i != j and c
    ]
    return sorted(pairs, key=lambda t: (-t[0], t[1], t[2]))[:6]


def report_markdown(report: Any) -> str:
    """The report as GitHub-flavoured Markdown, every value escaped."""
    m = report.metrics
    rf = m["red_flags"]
    figures = [
        ("Top-1 accuracy", F.with_ci(m["accuracy"], m["accuracy_ci"], 1)),
        ("Top-3 accuracy", F.with_ci(m["top3_accuracy"], m["top3_accuracy_ci"], 1)),
    ]
    if m.get("accuracy_with_alternatives") is not None:
        figures.append(
            (
                "Accuracy accepting alternative labels",
                F.with_ci(m["accuracy_with_alternatives"], m["accuracy_with_alternatives_ci"], 1),
            )
        )
    figures += [
        ("Macro F1", F.num_ci(m["macro_f1"], m["macro_f1_ci"])),
        ("Weighted F1", F.num_ci(m["weighted_f1"], m["weighted_f1_ci"])),
        ("Red-flag sensitivity", F.with_ci(rf["sensitivity"], rf["sensitivity_ci"], 1)),
        ("Red-flag specificity", F.with_ci(rf["specificity"], rf["specificity_ci"], 1)),
        ("Calibration error (top label)", F.num_ci(m["ece"], m["ece_ci"])),
        ("Calibration error (class-wise)", F.num_ci(m["classwise_ece"], m["classwise_ece_ci"])),
        ("Brier score", F.num_ci(m["brier"], m["brier_ci"])),
        ("ROC AUC (macro, one-vs-rest)", F.num(m["roc_auc"]["macro"])),
    ]
    rel = m["reliability"]
    edges = rel["bin_edges"]
    bands = [
        {
            "range": f"{edges[i]:.1f}–{edges[i + 1]:.1f}",
            "count": c,
            "confidence": rel["mean_confidence"][i],
            "accuracy": rel["accuracy"][i],
        }
        for i, c in enumerate(rel["count"])
        if c
    ]
    cm = m["confusion_matrix"]
    context = {
        **_common(report),
        "key_figures": figures,
        "reliability": bands,
        "confusion_rows": list(zip(cm["labels"], cm["counts"], strict=True)),
        "max_errors": MAX_ERRORS_MD,
    }
    return _environment("markdown").get_template("report.md.j2").render(context)


def _sections(card: Any, skip: tuple[str, ...]) -> list[Any]:
    return [(title, blocks) for title, blocks in card.sections if title not in skip]


def card_markdown(card: Any) -> str:
    """A :class:`ModelCard` as Markdown, every value escaped."""
    template = _environment("markdown").get_template("model_card.md.j2")
    return template.render(card=card, sections=_sections(card, ())).rstrip() + "\n"


def card_html(card: Any, heading_level: int = 2, *, skip: tuple[str, ...] = ()) -> str:
    """A :class:`ModelCard` as an HTML fragment; ``skip`` leaves sections out by title."""
    template = _environment("html").get_template("model_card.html.j2")
    return template.render(card=card, sections=_sections(card, skip), h=heading_level)
