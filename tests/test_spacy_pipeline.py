"""The fasciclf components used the spaCy way: factories, serialisation, Doc data."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
import spacy
import srsly
from spacy import displacy
from spacy.tokens import Doc, DocBin

import fasciclf.features._pipeline as pipeline
from fasciclf.features import build_nlp, extract
from fasciclf.features._resources import ResourceError
from fasciclf.features._wordlists import parse_wordlists

TEXTS = [
    "No weakness, but my left calf twitches for 3 weeks.",
    "My dad, 67, has cramps in both hands at night.",
    "Numbness? No. Is tongue twitching a sign of ALS?",
]
FACTORIES = [
    "fasciclf_spelling",
    "fasciclf_terms",
    "fasciclf_function",
    "fasciclf_signs",
    "fasciclf_context",
    "fasciclf_features",
]


def _spans(doc: Doc) -> list[list]:
    return [
        [s.start_char, s.end_char, s.label_, s._.status, list(s._.body_sites), s._.side]
        for s in doc.spans["fasciclf"]
    ]


def _run(code: str) -> str:
    """Run ``code`` in a fresh interpreter that has not imported fasciclf."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_build_save_and_load_in_fresh_processes(tmp_path):
    path = tmp_path / "nlp"
    _run(
        "import spacy\n"
        "nlp = spacy.blank('en')\n"
        f"for name in {FACTORIES!r}:\n"
        "    nlp.add_pipe(name)\n"
        f"nlp.to_disk({str(path)!r})\n"
    )
    out = _run(
        "import json, spacy\n"
        f"nlp = spacy.load({str(path)!r})\n"
        f"docs = [nlp(t) for t in {TEXTS!r}]\n"
        "print(json.dumps([[[s.start_char, s.end_char, s.label_, s._.status,"
        " list(s._.body_sites), s._.side] for s in d.spans['fasciclf']] for d in docs]))\n"
    )
    nlp = build_nlp()
    expected = [_spans(nlp(t)) for t in TEXTS]
    assert json.loads(out.strip().splitlines()[-1]) == expected
    assert any(expected)


def test_nlp_pipe_with_two_processes_matches_one():
    nlp = build_nlp()
    one = [d._.fasciclf.to_dict() for d in nlp.pipe(TEXTS)]
    two = [d._.fasciclf.to_dict() for d in nlp.pipe(TEXTS * 2, n_process=2, batch_size=2)]
    assert two == one * 2


def test_pipe_in_batches_matches_one_doc_at_a_time():
    # each component reads a batch of Docs before the next one does: the same
    # features as one Doc through the whole pipeline at a time
    nlp = build_nlp()
    texts = TEXTS * 3 + ["twiching calfs", "weekness in my left arm"]
    one = [nlp(t)._.fasciclf.to_dict() for t in texts]
    assert [d._.fasciclf.to_dict() for d in nlp.pipe(texts, batch_size=2)] == one


def test_pipe_error_handler_skips_the_failing_doc():
    nlp = build_nlp()
    assembler = nlp.get_pipe("fasciclf_features")
    call = type(assembler).__call__

    def fail_on_cramps(self, doc):
        if "cramps" in doc.text:
            raise RuntimeError("boom")
        return call(self, doc)

    assembler.__class__ = type("Failing", (type(assembler),), {"__call__": fail_on_cramps})
    with pytest.raises(RuntimeError, match="boom"):
        list(nlp.pipe(TEXTS))
    nlp.set_error_handler(spacy.util.ignore_error)
    assert [d.text for d in nlp.pipe(TEXTS)] == [TEXTS[0], TEXTS[2]]


def test_docbin_and_doc_bytes_round_trip():
    nlp = build_nlp()
    docs = [nlp(t) for t in TEXTS]
    srsly.msgpack_dumps(docs[0].user_data)  # nothing unserialisable on the Doc
    db = DocBin(store_user_data=True)
    for doc in docs:
        db.add(doc)
    back = list(DocBin().from_bytes(db.to_bytes()).get_docs(nlp.vocab))
    assert [_spans(d) for d in back] == [_spans(d) for d in docs]
    assert [d._.fasciclf.to_dict() for d in back] == [d._.fasciclf.to_dict() for d in docs]
    again = Doc(nlp.vocab).from_bytes(docs[1].to_bytes())
    assert again._.fasciclf.writer == "father" and _spans(again) == _spans(docs[1])


def test_displacy_renders_the_findings():
    doc = build_nlp()(TEXTS[0])
    html = displacy.render(doc, style="span", options={"spans_key": "fasciclf"})
    assert "twitching" in html and "weakness" in html


def test_extensions_follow_extract():
    doc = build_nlp()(TEXTS[0])
    feats = extract(TEXTS[0])
    assert [(s.text, s._.concept, s._.status) for s in doc.spans["fasciclf"]] == [
        (f.text, f.concept, f.status) for f in feats.findings
    ]


def test_to_disk_honours_exclude(tmp_path):
    nlp = build_nlp()
    nlp.to_disk(tmp_path / "a", exclude=["fasciclf_context"])
    assert (tmp_path / "a" / "fasciclf_terms" / "lexicon.json").exists()
    assert not (tmp_path / "a" / "fasciclf_context").exists()
    terms = nlp.get_pipe("fasciclf_terms")
    terms.to_disk(tmp_path / "b", exclude=["lexicon"])
    assert not (tmp_path / "b" / "lexicon.json").exists()
    context = nlp.get_pipe("fasciclf_context")
    assert srsly.msgpack_loads(context.to_bytes(exclude=["rules"])) == {}
    assert "rules" in srsly.msgpack_loads(context.to_bytes())


def test_component_bytes_round_trip():
    nlp = build_nlp()
    other = spacy.blank("en")
    for name in FACTORIES:
        other.add_pipe(name)
    other.from_bytes(nlp.to_bytes())
    assert _spans(other(TEXTS[0])) == _spans(nlp(TEXTS[0]))


def test_cold_start_builds_the_pipeline_once(monkeypatch):
    monkeypatch.setattr(pipeline, "_DEFAULT_NLP", None)
    monkeypatch.setattr(pipeline, "BUILD_COUNT", 0)
    barrier = threading.Barrier(16)
    results = []

    def work():
        barrier.wait()
        results.append(extract("my calf twitches").symptoms["twitching"])

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["present"] * 16
    assert pipeline.BUILD_COUNT == 1


def test_wordlists_reject_unknown_and_missing_lists():
    with pytest.raises(ResourceError, match="allowed keys are .*sentence_end"):
        parse_wordlists({"lists": {"negations": {"words": ["no"]}}})
    with pytest.raises(ResourceError, match="missing list"):
        parse_wordlists({"lists": {"short_no": {"words": ["no"]}}})


@pytest.mark.parametrize("component", ["fasciclf_signs", "fasciclf_function"])
def test_component_without_the_term_matcher_names_the_fix(component):
    nlp = spacy.blank("en")
    nlp.add_pipe(component)
    with pytest.raises(
        ValueError, match=rf"{component} needs the matches of fasciclf_terms.*\[.{component}.\]"
    ):
        nlp("my left calf twitches")


def test_context_rules_keep_the_test_request_flag_through_json():
    from fasciclf.features._context import rules_to_json
    from fasciclf.features._resources import default_context_rules, parse_context_rules

    rules = default_context_rules()
    requests = [r for r in rules.rules if r.test_request]
    assert {"made me", "had me", "got me to"} <= {r.literal for r in requests}
    assert all(r.category == "hypothetical" for r in requests)
    again = parse_context_rules(rules_to_json(rules))
    assert [r for r in again.rules if r.test_request] == requests


def test_context_rules_keep_the_answers_flag_through_json():
    from fasciclf.features._context import rules_to_json
    from fasciclf.features._resources import default_context_rules, parse_context_rules

    rules = default_context_rules()
    answering = [r for r in rules.rules if r.answers]
    assert answering, "the packaged rules mark reported answers"
    again = parse_context_rules(rules_to_json(rules))
    assert [r for r in again.rules if r.answers] == answering
    with pytest.raises(ResourceError, match="unknown key"):
        parse_context_rules(
            {"version": "1", "rules": [{"literal": "no", "category": "negated", "answer": True}]}
        )
