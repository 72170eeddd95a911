"""CLI: a --format that contradicts --out is a usage error; the --trust hint is structural."""

from __future__ import annotations

import pytest

import fasciclf.models._persist as persist
from fasciclf.cli import EXIT_MODEL_REFUSED, EXIT_USAGE, main

ROWS = [
    ("left calf twitching for weeks, strength fine", "benign"),
    ("eyelid twitch when tired, no weakness", "benign"),
    ("both feet numb and burning at night", "neuropathy"),
    ("pins and needles in my toes, diabetic", "neuropathy"),
]


def _csv(path):
    path.write_text("text,label\n" + "".join(f'"{t}",{y}\n' for t, y in ROWS), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("fmt", "name", "suggested"),
    [("skops", "m.joblib", "m.skops"), ("joblib", "m.SKOPS", "m.joblib")],
)
def test_format_contradicting_out_is_a_usage_error(tmp_path, capsys, fmt, name, suggested):
    out = tmp_path / name
    argv = ["train", "--data", str(_csv(tmp_path / "t.csv")), "--kind", "text", "--cv", "2"]
    code = main([*argv, "--format", fmt, "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert f"--format {fmt} contradicts --out {name}" in err and suggested in err
    assert "Traceback" not in err and not out.exists()


def _refuse(exc):
    def load_model(path, *, trusted):
        raise exc

    return load_model


@pytest.mark.parametrize(
    ("trust_would_load", "hinted"),
    [(True, True), (False, False)],
)
def test_trust_hint_follows_the_exception_not_its_text(
    tmp_path, capsys, monkeypatch, trust_would_load, hinted
):
    # Both messages mention trusted=True, as the skops refusal does; only the
    # attribute decides whether --trust would help.
    msg = "m.skops: types outside the trusted list (trusted=True admits none)"
    exc = persist.UntrustedModelError(msg, trust_would_load=trust_would_load)
    monkeypatch.setattr(persist, "load_model", _refuse(exc))
    model = tmp_path / "m.skops"
    model.write_bytes(b"placeholder")
    assert main(["predict", "--model", str(model), "numb feet"]) == EXIT_MODEL_REFUSED
    err = capsys.readouterr().err
    assert "model refused" in err
    assert ("on the command line: --trust" in err) is hinted


def test_other_integrity_errors_get_no_trust_hint(tmp_path, capsys, monkeypatch):
    exc = persist.ModelIntegrityError("m.joblib: SHA-256 mismatch; load_model(trusted=True)")
    monkeypatch.setattr(persist, "load_model", _refuse(exc))
    model = tmp_path / "m.joblib"
    model.write_bytes(b"placeholder")
    assert main(["predict", "--model", str(model), "numb feet"]) == EXIT_MODEL_REFUSED
    assert "--trust" not in capsys.readouterr().err


def test_joblib_refusal_says_trust_would_load(tmp_path):
    from fasciclf.models import save_model, train

    model = train([t for t, _ in ROWS], [y for _, y in ROWS], kind="text", cv=2)
    path = save_model(model, tmp_path / "m.joblib") or tmp_path / "m.joblib"
    with pytest.raises(persist.UntrustedModelError, match="refusing to load a joblib") as info:
        persist.load_model(path)
    assert info.value.trust_would_load is True
