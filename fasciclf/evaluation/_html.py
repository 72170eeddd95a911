"""Self-contained HTML rendering of an :class:`EvaluationReport`.

One file, no scripts, no network: CSS in a ``<style>`` element, figures as
inline SVG. Every CSS rule is scoped under ``.fr`` so the same markup can be
shown inside a notebook without restyling the notebook.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fasciclf.evaluation._format import (
    DISCLAIMER,
    ci_pct,
    esc,
    is_num,
    num,
    pct,
    pretty_label,
    with_ci,
)

MAX_ERRORS_HTML = 30
MAX_ERRORS_NOTEBOOK = 10

_STATUS_NAMES = {
    "present": "present",
    "absent": "denied",
    "uncertain": "uncertain",
    "hypothetical": "hypothetical",
    "historical": "in the past",
    "family": "family member",
    "red_flag": "red flag",
}

CSS = """
.fr{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--soft:#f9fafb;--blue:#1d4ed8;
 --red:#b91c1c;--redsoft:#fef2f2;--amber:#fffbeb;
 font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,
 sans-serif;color:var(--ink);line-height:1.55;font-size:16px;max-width:1000px;
 margin:0 auto;padding:24px 28px 48px}
.fr h1{font-size:1.75rem;margin:0 0 .2rem;line-height:1.25}
.fr h2{font-size:1.3rem;margin:2.4rem 0 .6rem;padding-top:.8rem;border-top:2px solid var(--line)}
.fr h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
.fr .meta{color:var(--muted);margin:0 0 1rem;font-size:.95rem}
.fr .disclaimer{background:var(--amber);border:1px solid #fcd34d;border-left:6px solid #d97706;
 padding:.7rem 1rem;border-radius:6px;margin:1rem 0 1.4rem}
.fr .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(205px,1fr));gap:12px;
 margin:1rem 0 1.2rem}
.fr .tile{border:1px solid var(--line);border-radius:10px;padding:.8rem 1rem;background:#fff}
.fr .tile .label{font-size:.85rem;color:var(--muted);text-transform:uppercase;
 letter-spacing:.03em;font-weight:600}
.fr .tile .value{font-size:2.1rem;font-weight:700;line-height:1.15;margin:.15rem 0}
.fr .tile .sub{font-size:.88rem;color:var(--muted)}
.fr .tile.alert{border-color:#fca5a5;background:var(--redsoft)}
.fr .tile.alert .value{color:var(--red)}
.fr .plain{background:var(--soft);border:1px solid var(--line);border-radius:10px;
 padding:.9rem 1.2rem .9rem 2.2rem;margin:0}
.fr .plain li{margin:.35rem 0}
.fr .reading{font-size:.9rem;color:var(--muted);margin:.7rem 0 0}
.fr nav.toc{font-size:.92rem;margin:1.2rem 0 0;color:var(--muted)}
.fr nav.toc a{color:var(--blue);text-decoration:none;margin-right:.9rem;white-space:nowrap}
.fr table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.5rem 0 1rem}
.fr th,.fr td{border-bottom:1px solid var(--line);padding:.42rem .55rem;text-align:left;
 vertical-align:top}
.fr th{background:var(--soft);font-weight:600}
.fr td.num,.fr th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.fr .ci{color:var(--muted);font-size:.85em;white-space:nowrap}
.fr .table-wrap{overflow-x:auto}
.fr figure{margin:1rem 0 1.4rem;text-align:center}
.fr figure svg{max-width:100%;height:auto}
.fr figcaption{font-size:.9rem;color:var(--muted);text-align:left;max-width:780px;
 margin:.3rem auto 0}
.fr .note{font-size:.93rem;color:#374151;background:var(--soft);border-left:4px solid #cbd5e1;
 padding:.5rem .8rem;margin:.6rem 0}
.fr .case{border:1px solid var(--line);border-radius:10px;padding:.8rem 1rem;margin:0 0 1rem;
 background:#fff}
.fr .case.missed{border-color:#fca5a5;border-left:6px solid var(--red)}
.fr .case header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-bottom:.4rem}
.fr .caseid{font-weight:700}
.fr .badge{font-size:.78rem;border-radius:999px;padding:.1rem .55rem;background:#eef2ff;
 color:#3730a3;font-weight:600}
.fr .badge.danger{background:#fee2e2;color:var(--red)}
.fr .badge.ok{background:#dcfce7;color:#166534}
.fr .verdict{display:grid;grid-template-columns:1fr 1fr;gap:.5rem 1rem;font-size:.95rem}
.fr blockquote.text{margin:.6rem 0;padding:.6rem .9rem;background:var(--soft);border-radius:6px;
 line-height:1.9;font-size:.95rem;white-space:pre-wrap}
.fr mark{border-radius:3px;padding:0 2px}
.fr mark small{font-size:.7em;margin-left:3px;color:#374151;font-weight:600}
.fr mark.present{background:#fde68a}
.fr mark.absent{background:#bbf7d0}
.fr mark.uncertain,.fr mark.hypothetical{background:#e5e7eb}
.fr mark.historical{background:#ddd6fe}
.fr mark.family{background:#fbcfe8}
.fr mark.red_flag{background:#fecaca;box-shadow:inset 0 -2px 0 var(--red)}
.fr .legend mark{margin-right:.4rem}
.fr .case-grid{display:grid;grid-template-columns:minmax(0,1.75fr) minmax(0,1fr);gap:1.2rem}
.fr .case .k{display:block;font-size:.74rem;color:var(--muted);text-transform:uppercase;
 letter-spacing:.03em;margin-bottom:.15rem}
.fr .side{font-size:.9rem}
.fr .opt{margin:.2rem 0 .45rem}
.fr .optline{display:flex;justify-content:space-between;gap:.5rem}
.fr .bar{background:#bfdbfe;height:.55rem;border-radius:3px;margin-top:.1rem}
.fr .bar.top{background:#60a5fa}
.fr .bar.gold{background:#22c55e}
.fr .flags{margin:.6rem 0 0}
@media (max-width:720px){.fr .case-grid,.fr .verdict{grid-template-columns:1fr}}
.fr footer{margin-top:2.5rem;font-size:.88rem;color:var(--muted);border-top:1px solid var(--line);
 padding-top:.8rem}
.fr .model-card h3{margin-top:1.6rem}
.fr .model-card h4{margin:1.1rem 0 .3rem;font-size:1rem}
@media print{.fr{max-width:none;padding:0}.fr .case{break-inside:avoid}}
"""


def _ci_span(ci: Any, digits: int = 0) -> str:
    c = ci_pct(ci, digits)
    return f'<br><span class="ci">95% CI {c}</span>' if c else ""


def _num_ci_span(ci: Any) -> str:
    if ci and all(is_num(c) for c in ci):
        return f'<br><span class="ci">{num(ci[0])}–{num(ci[1])}</span>'
    return ""


def _cid(case_id: Any) -> str:
    # Cases without an id are numbered by their 0-based position in the input.
    return f"#{case_id}" if isinstance(case_id, int) else str(case_id)


def _tile(label: str, value: str, sub: str, alert: bool = False) -> str:
    cls = "tile alert" if alert else "tile"
    return (
        f'<div class="{cls}"><div class="label">{esc(label)}</div>'
        f'<div class="value">{value}</div><div class="sub">{sub}</div></div>'
    )


def _highlight(text: str, spans: list[Mapping[str, Any]]) -> str:
    # Red-flag spans win over ordinary findings that start at the same place;
    # overlapping later spans are dropped so the markup stays well formed.
    ordered = sorted(spans, key=lambda s: (s["start"], s["status"] != "red_flag", -s["end"]))
    out, pos = [], 0
    for s in ordered:
        start, end = s["start"], s["end"]
        if start < pos or end <= start or end > len(text):
            continue
        out.append(esc(text[pos:start]))
        status = s["status"] if s["status"] in _STATUS_NAMES else "uncertain"
        concept = s["concept"].replace("red flag: ", "").replace("_", " ")
        tag = f"{concept}: {_STATUS_NAMES[status]}"
        out.append(
            f'<mark class="{status}" title="{esc(tag)}">{esc(text[start:end])}'
            f"<small>{esc(tag)}</small></mark>"
        )
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def _summary(m: Mapping[str, Any], sentences: list[str]) -> str:
    rf = m["red_flags"]
    tiles = [
        _tile(
            "Top suggestion right",
            pct(m["accuracy"]),
            f"{m['n_correct']} of {m['n']} · 95% CI {ci_pct(m['accuracy_ci']) or 'n/a'}",
        ),
        _tile(
            "Right answer in top 3",
            pct(m["top3_accuracy"]),
            f"{m['n_top3_correct']} of {m['n']} · 95% CI {ci_pct(m['top3_accuracy_ci']) or 'n/a'}",
        ),
    ]
    if rf["n_positive"]:
        missed = rf["n_positive"] - rf["n_caught"]
        tiles.append(
            _tile(
                "Red-flag cases caught",
                f"{rf['n_caught']} / {rf['n_positive']}",
                f"sensitivity {pct(rf['sensitivity'])} · 95% CI "
                f"{ci_pct(rf['sensitivity_ci']) or 'n/a'}"
                + (f" · <b>{missed} missed</b>" if missed else " · none missed"),
                alert=missed > 0,
            )
        )
    else:
        tiles.append(_tile("Red-flag cases caught", "n/a", "no red-flag cases in this data"))
    ece_ci = m.get("ece_ci")
    tiles.append(
        _tile(
            "Calibration error",
            f"{m['ece'] * 100:.1f}<span style='font-size:.5em'> pts</span>",
            "percentage points between stated confidence and share right"
            + (f" · 95% CI {ece_ci[0] * 100:.1f}–{ece_ci[1] * 100:.1f}" if ece_ci else ""),
        )
    )
    items = "".join(f"<li>{esc(s)}</li>" for s in sentences)
    return (
        '<section id="summary"><h2 style="border-top:0;margin-top:1rem">Summary</h2>'
        f'<div class="tiles">{"".join(tiles)}</div>'
        f'<h3>In plain words</h3><ul class="plain">{items}</ul>'
        '<p class="reading">How to read the intervals: "95% CI 77–86%" means that, given '
        "how many descriptions were tested, the true figure for similar descriptions "
        "plausibly lies between 77% and 86%. Narrow intervals need many cases.</p>"
        "</section>"
    )


def _per_class(m: Mapping[str, Any], svg: str) -> str:
    rows = []
    for lab, d in m["per_class"].items():
        rf = lab in m["red_flags"]["classes"]
        name = esc(pretty_label(lab)) + (
            ' <span class="badge danger">red flag</span>' if rf else ""
        )
        if not d["known_to_model"]:
            name += ' <span class="badge">not a model class</span>'
        rows.append(
            f"<tr><td>{name}</td><td class='num'>{d['support']}</td>"
            f"<td class='num'>{pct(d['recall'])}{_ci_span(d['recall_ci'])}</td>"
            f"<td class='num'>{pct(d['precision'])}{_ci_span(d['precision_ci'])}</td>"
            f"<td class='num'>{num(d['f1'], 2)}{_num_ci_span(d['f1_ci'])}</td>"
            f"<td class='num'>{num(d['roc_auc'], 2)}</td></tr>"
        )
    skipped = m["roc_auc"]["skipped"]
    skip_txt = (
        "<p class='note'>ROC AUC was not computed for "
        + "; ".join(f"{esc(pretty_label(k))} ({esc(v)})" for k, v in skipped.items())
        + ".</p>"
        if skipped
        else ""
    )
    return (
        '<section id="per-class"><h2>Results for each category</h2>'
        "<p><b>Recall</b> (sensitivity): of the descriptions with this reference label, the "
        "share the model put first. <b>Precision</b> (positive predictive value): of the "
        "descriptions the model put in this category, the share that really were. "
        "<b>F1</b> combines both (0 to 1). <b>ROC AUC</b>: how well the probability for this "
        "category separates its cases from the rest (0.5 = chance, 1 = perfect).</p>"
        f"<figure>{svg}<figcaption>Dots are the estimates, shaded bars their 95% "
        "confidence intervals; n is the number of descriptions with that reference label."
        "</figcaption></figure>"
        "<div class='table-wrap'><table><thead><tr><th>Category</th><th class='num'>Cases</th>"
        "<th class='num'>Recall</th><th class='num'>Precision</th><th class='num'>F1</th>"
        "<th class='num'>ROC AUC</th></tr></thead><tbody>"
        + "".join(rows)
        + f"</tbody></table></div>{skip_txt}"
        f"<p>Overall: macro F1 {num(m['macro_f1'], 2)} (95% CI "
        f"{_pair(m['macro_f1_ci'])}), weighted F1 {num(m['weighted_f1'], 2)} (95% CI "
        f"{_pair(m['weighted_f1_ci'])}), macro ROC AUC {num(m['roc_auc']['macro'], 2)}.</p>"
        "</section>"
    )


def _pair(ci: Any, digits: int = 2) -> str:
    return f"{num(ci[0], digits)}–{num(ci[1], digits)}" if ci else "n/a"


def _confusions(m: Mapping[str, Any], svg: str) -> str:
    cm = m["confusion_matrix"]
    labels = cm["labels"]
    pairs = [
        (c, labels[i], labels[j])
        for i, row in enumerate(cm["counts"])
        for j, c in enumerate(row)
        if i != j and c
    ]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    items = "".join(
        f"<li><b>{c}</b> × {esc(pretty_label(g))} read as {esc(pretty_label(p))}</li>"
        for c, g, p in pairs[:6]
    )
    common = f"<h3>Most frequent mix-ups</h3><ul>{items}</ul>" if items else ""
    return (
        '<section id="confusion"><h2>Which categories get mixed up</h2>'
        "<p>Each row is a reference label; read across to see where the model's top "
        "suggestion went. The diagonal is agreement.</p>"
        f"<figure>{svg}<figcaption>Cells show the share of the row and, in brackets, the "
        "number of descriptions.</figcaption></figure>"
        f"{common}</section>"
    )


def _calibration(m: Mapping[str, Any], svg: str) -> str:
    return (
        '<section id="calibration"><h2>Can the stated probabilities be trusted?</h2>'
        "<p>A well-calibrated model that says “70%” is right about 70% of the time. In the "
        "diagram, dots on the dashed diagonal mean well calibrated; dots below it mean the "
        "model is over-confident in that range, dots above it under-confident.</p>"
        f"<figure>{svg}<figcaption>Top suggestions grouped into {m['ece_bins']} equal-width "
        "bands of stated confidence. Bars through the dots are 95% intervals for the share "
        "right in that band; the histogram shows how many descriptions fall in each band."
        "</figcaption></figure>"
        "<table><thead><tr><th>Measure</th><th class='num'>Value</th><th>Meaning</th></tr>"
        "</thead><tbody>"
        f"<tr><td>Expected calibration error (top label)</td><td class='num'>"
        f"{num(m['ece'])}{_num_ci_span(m['ece_ci'])}</td><td>Average gap between stated "
        "confidence and share right, weighted by cases (0 = perfect).</td></tr>"
        f"<tr><td>Class-wise calibration error</td><td class='num'>"
        f"{num(m['classwise_ece'])}{_num_ci_span(m['classwise_ece_ci'])}</td><td>The same "
        "for every category's probability, averaged over categories.</td></tr>"
        f"<tr><td>Brier score</td><td class='num'>{num(m['brier'])}"
        f"{_num_ci_span(m['brier_ci'])}</td><td>Squared error of all probabilities "
        "(0 = perfect, 2 = worst); rewards both accuracy and calibration.</td></tr>"
        f"<tr><td>Average stated confidence</td><td class='num'>{pct(m['mean_confidence'], 1)}"
        f"</td><td>Compare with the share right: {pct(m['accuracy'], 1)}.</td></tr>"
        "</tbody></table></section>"
    )


def _red_flags(m: Mapping[str, Any]) -> str:
    rf = m["red_flags"]
    names = " or ".join(esc(pretty_label(c).lower()) for c in rf["classes"])
    rows = (
        f"<tr><td>Red-flag cases (reference label {names})</td>"
        f"<td class='num'>{rf['n_positive']}</td></tr>"
        f"<tr><td>… caught by the top suggestion</td><td class='num'>"
        f"{rf['n_caught_by_top_label']}</td></tr>"
        f"<tr><td>… caught only by a red-flag rule</td><td class='num'>"
        f"{rf['n_caught_by_rule_only'] if rf['rules_available'] else 'rules not available'}"
        f"</td></tr>"
        f"<tr><td>… missed</td><td class='num'><b>{rf['n_positive'] - rf['n_caught']}</b>"
        f"</td></tr>"
        f"<tr><td>Sensitivity (share caught)</td><td class='num'>"
        f"{with_ci(rf['sensitivity'], rf['sensitivity_ci'], 1)}</td></tr>"
        f"<tr><td>Other cases flagged (false alarms)</td><td class='num'>"
        f"{rf['n_false_alarms']} of {rf['n_negative']}</td></tr>"
        f"<tr><td>Specificity (other cases not flagged)</td><td class='num'>"
        f"{with_ci(rf['specificity'], rf['specificity_ci'], 1)}</td></tr>"
    )
    missed = rf["missed"]
    missed_txt = (
        "<p class='note'><b>Missed red-flag cases:</b> "
        + ", ".join(esc(_cid(x)) for x in missed)
        + ". Each is shown first in the error analysis below.</p>"
        if missed
        else ""
    )
    return (
        '<section id="red-flags"><h2>Red flags: cases that must not be missed</h2>'
        f"<p>{esc(rf['definition'])}</p>"
        f"<table><tbody>{rows}</tbody></table>{missed_txt}</section>"
    )


def _abstention(m: Mapping[str, Any]) -> str:
    ab = m["abstention"]
    if not ab.get("available"):
        return ""
    reasons = "".join(
        f"<tr><td>{esc(k.replace('_', ' '))}</td><td class='num'>{v}</td></tr>"
        for k, v in ab["reasons"].items()
    )
    reason_table = (
        f"<table><thead><tr><th>Reason</th><th class='num'>Cases</th></tr></thead>"
        f"<tbody>{reasons}</tbody></table>"
        if reasons
        else ""
    )
    return (
        '<section id="abstention"><h2>When the model declined to commit</h2>'
        "<p>The model abstains when the text is empty, off-topic or too uncertain; it still "
        "shows its best guess, and abstained cases count in every figure above.</p>"
        f"<p>Abstained on <b>{ab['n_abstained']}</b> of {m['n']} descriptions "
        f"({with_ci(ab['rate'], ab['rate_ci'], 1)}). On the others the top suggestion was "
        f"right {with_ci(ab['accuracy_non_abstained'], ab['accuracy_non_abstained_ci'], 1)}."
        f"</p>{reason_table}</section>"
    )


def _subgroups(m: Mapping[str, Any], svg: str) -> str:
    sub = m.get("subgroups") or {}
    if not sub:
        return ""
    tables = []
    for name, table in sub.items():
        rows = "".join(
            f"<tr><td>{esc(level)}</td><td class='num'>{row['n']}</td>"
            f"<td class='num'>{pct(row['accuracy'])}{_ci_span(row['accuracy_ci'])}</td>"
            f"<td class='num'>{pct(row['top3_accuracy'])}{_ci_span(row['top3_accuracy_ci'])}"
            f"</td><td class='num'>{num(row['macro_f1'], 2)}</td>"
            "<td class='num'>"
            + (
                f"{pct(row['red_flag_sensitivity'])} of {row['n_red_flag_positive']}"
                if row["n_red_flag_positive"]
                else "—"
            )
            + "</td></tr>"
            for level, row in table.items()
        )
        tables.append(
            f"<h3>{esc(pretty_label(name))}</h3><div class='table-wrap'><table><thead><tr>"
            "<th>Group</th><th class='num'>Cases</th><th class='num'>Top suggestion right</th>"
            "<th class='num'>Right in top 3</th><th class='num'>Macro F1</th>"
            "<th class='num'>Red-flag cases caught</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )
    return (
        '<section id="subgroups"><h2>Does it work equally well for everyone?</h2>'
        "<p>Accuracy within subgroups. Small groups have wide intervals: a difference "
        "between groups matters only when their intervals barely overlap.</p>"
        f"<figure>{svg}<figcaption>Top-suggestion accuracy per group with 95% intervals; "
        "the dashed line is the accuracy on all descriptions.</figcaption></figure>"
        + "".join(tables)
        + "</section>"
    )


def _case(e: Mapping[str, Any]) -> str:
    badges = []
    if e["red_flag_missed"]:
        badges.append('<span class="badge danger">red-flag case missed</span>')
    elif e["red_flag_case"]:
        badges.append('<span class="badge ok">red-flag case, still flagged</span>')
    if e.get("acceptable_alternative"):
        badges.append('<span class="badge ok">suggestion was an accepted alternative</span>')
    if e.get("abstained"):
        reason = e.get("abstain_reason") or ""
        badges.append(f'<span class="badge">abstained: {esc(reason.replace("_", " "))}</span>')
    alts = (
        f" <span class='ci'>(also plausible: "
        f"{esc(', '.join(pretty_label(a) for a in e['alt_labels']))})</span>"
        if e["alt_labels"]
        else ""
    )
    options = []
    for rank, (lab, p) in enumerate(e["top3"]):
        cls = "bar gold" if lab == e["gold"] else ("bar top" if rank == 0 else "bar")
        options.append(
            f"<div class='opt'><div class='optline'><span>{esc(pretty_label(lab))}</span>"
            f"<span class='num'>{pct(p)}</span></div>"
            f"<div class='{cls}' style='width:{max(p, 0.01) * 100:.1f}%'></div></div>"
        )
    gold_p = e["probabilities"].get(e["gold"])
    if not any(lab == e["gold"] for lab, _ in e["top3"]):
        options.append(
            f"<p class='ci' style='margin:.3rem 0 0'>Reference label: "
            f"{pct(gold_p) if gold_p is not None else 'not a model category'}</p>"
        )
    text = e.get("text")
    text_html = (
        f"<blockquote class='text'>{_highlight(text, e.get('evidence') or [])}</blockquote>"
        if text
        else "<p class='ci'>(text not supplied)</p>"
    )
    flags = e.get("red_flags") or []
    flag_txt = ""
    if e.get("red_flag_fired") is not None:
        flag_txt = (
            "<p class='flags'><span class='k'>Red-flag rules fired</span>"
            + (", ".join(f"<b>{esc(f.replace('_', ' '))}</b>" for f in flags) or "none")
            + "</p>"
        )
    cls = "case missed" if e["red_flag_missed"] else "case"
    return (
        f"<article class='{cls}'><header><span class='caseid'>Case {esc(_cid(e['id']))}</span>"
        f"{''.join(badges)}</header><div class='case-grid'><div>"
        "<div class='verdict'>"
        f"<div><span class='k'>Reference label</span>{esc(pretty_label(e['gold']))}{alts}</div>"
        f"<div><span class='k'>Model's top suggestion</span>"
        f"<b>{esc(pretty_label(e['predicted']))}</b> · {pct(e['confidence'])}</div></div>"
        f"{text_html}</div><div class='side'><span class='k'>Top three suggestions</span>"
        f"{''.join(options)}{flag_txt}</div></div></article>"
    )


def _errors(m: Mapping[str, Any], limit: int) -> str:
    errors = m["errors"]
    if not errors:
        return (
            '<section id="errors"><h2>Error analysis</h2><p>No misclassified descriptions.</p>'
            "</section>"
        )
    shown = errors[:limit]
    more = (
        f"<p class='note'>{len(errors) - len(shown)} further misclassified descriptions are "
        "listed in metrics.json.</p>"
        if len(errors) > len(shown)
        else ""
    )
    legend = (
        "<p class='legend' style='font-size:.88rem'>Highlighted words: "
        "<mark class='present'>symptom present</mark><mark class='absent'>denied</mark>"
        "<mark class='uncertain'>uncertain or hypothetical</mark>"
        "<mark class='historical'>in the past</mark><mark class='family'>family member</mark>"
        "<mark class='red_flag'>red-flag evidence</mark></p>"
    )
    return (
        f'<section id="errors"><h2>Error analysis: {len(errors)} misclassified '
        "descriptions</h2><p>Missed red-flag cases come first, then the mistakes the model "
        "was most confident about, and last those where its suggestion was an alternative "
        "the labeller also named as plausible. A green bar marks the reference label when "
        f"it is among the model's top three.</p>{legend}"
        + "".join(_case(e) for e in shown)
        + more
        + "</section>"
    )


def _methods(m: Mapping[str, Any]) -> str:
    return (
        '<section id="methods"><h2>Methods</h2><ul>'
        "<li>Accuracy counts a description as right when the model's most probable "
        "category equals the reference label; top-3 accuracy when the reference label is "
        "among the three most probable (ties broken by category order).</li>"
        f"<li>95% confidence intervals: percentile bootstrap with {m['n_bootstrap']} "
        f"resamples of the descriptions (seed {esc(m['random_state'])}). A per-category "
        "figure that is undefined in a resample (e.g. no cases of that category) is left out "
        "of that resample.</li>"
        f"<li>Calibration errors use {m['ece_bins']} equal-width, right-closed probability "
        "bins (Guo et al. 2017 for the top label; Kull et al. 2019 class-wise). Binned "
        "calibration errors are biased upward, more so on resamples, so their intervals are "
        "the percentile intervals shifted by the bootstrap estimate of that bias.</li>"
        "<li>Red flags: " + esc(m["red_flags"]["definition"]) + "</li>"
        "<li>Abstained descriptions are included in every figure except the accuracy on "
        "non-abstained descriptions.</li>"
        "<li>Cases without an identifier are shown as #n, their 0-based position in the "
        "input.</li></ul></section>"
    )


def report_html(report: Any, *, full: bool) -> str:
    """Render the report; ``full`` gives a whole document, else a notebook fragment."""
    from fasciclf.evaluation import _plots

    m = report.metrics
    meta = m.get("model") or {}
    version = meta.get("model_version") or ""
    kind = f" ({meta['kind']})" if meta.get("kind") else ""
    heading = (
        " ".join(part for part in ("Evaluation report: fasciclf triage model", version) if part)
        + kind
    )
    dataset = m.get("dataset") or "the evaluation data"
    labels = m["confusion_matrix"]["labels"]
    sentences = report.summary_sentences()

    per_class_svg = _plots.per_class_svg(m["per_class"], prefix="f1-")
    cm_svg = _plots.confusion_svg(labels, m["confusion_matrix"]["counts"], prefix="f2-")
    rel_svg = _plots.reliability_svg(m["reliability"], prefix="f3-")
    sub_svg = (
        _plots.subgroup_svg(m["subgroups"], m["accuracy"], prefix="f4-")
        if m.get("subgroups")
        else ""
    )

    toc = [
        ("summary", "Summary"),
        ("red-flags", "Red flags"),
        ("per-class", "Per category"),
        ("confusion", "Mix-ups"),
        ("calibration", "Calibration"),
    ]
    if m["abstention"].get("available"):
        toc.append(("abstention", "Abstention"))
    if m.get("subgroups"):
        toc.append(("subgroups", "Subgroups"))
    toc.append(("errors", "Errors"))
    if full:
        toc += [("model-card", "Model card"), ("methods", "Methods")]
    nav = (
        '<nav class="toc">Contents: '
        + "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in toc)
        + "</nav>"
    )

    body = [
        '<div class="fr">',
        "<header>",
        f"<h1>{esc(heading)}</h1>",
        f'<p class="meta">{m["n"]} descriptions from {esc(dataset)} · report date '
        f"{esc(report.created)}</p>",
        f'<div class="disclaimer" role="note"><b>Triage aid, not a diagnosis.</b> '
        f"{esc(DISCLAIMER)} The figures below describe how this model behaved on the "
        "descriptions tested; they do not tell anyone whether they have a disease.</div>",
        nav if full else "",
        "</header>",
        _summary(m, sentences),
        _red_flags(m),
        _per_class(m, per_class_svg),
        _confusions(m, cm_svg),
        _calibration(m, rel_svg),
        _abstention(m),
        _subgroups(m, sub_svg),
        _errors(m, MAX_ERRORS_HTML if full else MAX_ERRORS_NOTEBOOK),
    ]
    if full:
        card = report.model_card()
        body.append(
            '<section id="model-card" class="model-card"><h2>Model card</h2>'
            "<p>Also written to model_card.md next to this file.</p>"
            + card.to_html(heading_level=3)
            + "</section>"
        )
        body.append(_methods(m))
    body.append(f"<footer>Generated by fasciclf.evaluation. {esc(DISCLAIMER)}</footer></div>")
    content = "\n".join(part for part in body if part)
    if not full:
        return f"<style>{CSS}</style>{content}"
    title = f"fasciclf evaluation report – {version}" if version else "fasciclf evaluation report"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>body{{margin:0;background:#fff}}{CSS}</style>"
        f"</head><body>\n{content}\n</body></html>\n"
    )
