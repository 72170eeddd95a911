"""``fasciclf train``, ``predict`` and ``info`` through fasciclf.cli.main."""

from __future__ import annotations

import io
import json

import pytest

from fasciclf.cli import EXIT_MODEL_REFUSED, EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE, main
from fasciclf.models import DISCLAIMER

ROWS = [
    ("left calf twitching for weeks, strength fine", "benign"),
    ("eyelid twitch when tired, no weakness", "benign"),
    ("thigh twitches at rest, I run without trouble", "benign"),
    ("twitching in my feet after exercise", "benign"),
    ("both feet numb and burning at night", "neuropathy"),
    ("pins and needles in my toes, diabetic", "neuropathy"),
    ("numb toes and burning soles", "neuropathy"),
    ("tingling feet in a stocking pattern", "neuropathy"),
]


def _csv(path, rows=ROWS, header="text,label"):
    lines = [header] + [f'"{t}",{y}' for t, y in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    out = d / "model.joblib"
    code = main(
        [
            "train",
            "--data",
            str(_csv(d / "train.csv")),
            "--kind",
            "text",
            "--cv",
            "2",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == EXIT_OK
    return out


def test_train_writes_a_model(model_file, capsys):
    assert model_file.is_file()
    assert main(["info", "--model", str(model_file)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "kind:            text" in out and "benign, neuropathy" in out
    assert "a custom label set" in out and "integrity verified" in out


def test_info_json_and_default(model_file, capsys):
    assert main(["info", "--model", str(model_file), "--json"]) == EXIT_OK
    header = json.loads(capsys.readouterr().out)
    assert header["metadata"]["classes"] == ["benign", "neuropathy"]
    assert main(["info"]) == EXIT_OK
    assert "the default taxonomy" in capsys.readouterr().out


def test_predict_text_with_default_model(capsys):
    code = main(["predict", "My hand is getting weaker and the muscle is wasting."])
    out = capsys.readouterr().out
    assert code == EXIT_OK
    assert DISCLAIMER in out and "most likely:" in out and "RED FLAG wasting" in out


def test_predict_json(capsys):
    assert main(["predict", "--json", "calf twitching for a week, no weakness"]) == EXIT_OK
    d = json.loads(capsys.readouterr().out)
    assert d["label"] == "benign_fasciculation" and "features" not in d
    assert main(["predict", "--json", "--features", "calf twitching"]) == EXIT_OK
    assert "features" in json.loads(capsys.readouterr().out)


def test_predict_with_model_needs_trust(model_file, capsys):
    assert main(["predict", "--model", str(model_file), "numb feet"]) == EXIT_MODEL_REFUSED
    assert "--trust" in capsys.readouterr().err
    assert main(["predict", "--model", str(model_file), "--trust", "numb feet"]) == EXIT_OK
    assert "most likely: neuropathy" in capsys.readouterr().out
    import hashlib

    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()
    code = main(["predict", "--model", str(model_file), "--trusted-sha256", digest, "numb feet"])
    assert code == EXIT_OK


def test_tampered_model_refused(model_file, tmp_path, capsys):
    bad = tmp_path / "bad.joblib"
    data = bytearray(model_file.read_bytes())
    data[-5] ^= 0xFF
    bad.write_bytes(bytes(data))
    assert main(["predict", "--model", str(bad), "--trust", "x"]) == EXIT_MODEL_REFUSED
    assert "SHA-256 mismatch" in capsys.readouterr().err
    assert main(["info", "--model", str(bad)]) == EXIT_MODEL_REFUSED


def test_predict_file_with_bad_rows(tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    f.write_text(
        '{"id": "a", "text": "calf twitching, strength fine"}\n'
        '{"id": "b", "text": 5}\n'
        "not json\n"
        '{"id": "d", "text": "numb burning feet"}\n',
        encoding="utf-8",
    )
    code = main(["predict", "--input", str(f), "--json", "--no-progress"])
    captured = capsys.readouterr()
    assert code == EXIT_ROW_ERRORS
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["id"] for r in rows] == ["a", "d"]
    assert "row b:" in captured.err and "row 3: invalid JSON" in captured.err
    assert "2 of 4 rows failed" in captured.err


def test_predict_txt_and_csv(tmp_path, capsys):
    txt = tmp_path / "in.txt"
    txt.write_text("calf twitching\n\nnumb feet\n", encoding="utf-8")
    assert main(["predict", "--input", str(txt)]) == EXIT_ROW_ERRORS
    captured = capsys.readouterr()
    assert "[1] most likely" in captured.out and "[3] most likely" in captured.out
    assert "row 2: empty line" in captured.err
    csv = _csv(tmp_path / "in.csv")
    assert main(["predict", "--input", str(csv), "--json"]) == EXIT_OK
    assert len(capsys.readouterr().out.splitlines()) == len(ROWS)


def test_predict_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"calf twitching\nnumb feet\n")))
    assert main(["predict", "--input", "-", "--json"]) == EXIT_OK
    assert len(capsys.readouterr().out.splitlines()) == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["predict"],
        ["predict", "text", "--input", "x.txt"],
        ["predict", "--input", "missing.txt"],
        ["predict", "--input", "file.pdf"],
        ["predict", "--model", "missing.joblib", "text"],
        ["train"],
        ["train", "--data", "missing.csv"],
        ["info", "--model", "missing.joblib"],
    ],
)
def test_usage_errors(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.pdf").write_bytes(b"%PDF")
    assert main(argv) == EXIT_USAGE
    assert capsys.readouterr().err.strip()


def test_train_bad_rows_and_columns(tmp_path, capsys):
    rows = ROWS + [("", "benign"), ("numb toes", "")]
    data = _csv(tmp_path / "rows.csv", rows)
    out = tmp_path / "m.joblib"
    code = main(
        [
            "train",
            "--data",
            str(data),
            "--kind",
            "text",
            "--cv",
            "2",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    assert code == EXIT_ROW_ERRORS and out.is_file()
    # rows are named by their line in the file (the header is line 1), as everywhere
    assert "row 10: empty 'text'" in err and "row 11: missing 'label'" in err
    assert main(["train", "--data", str(data), "--label-col", "diagnosis"]) == EXIT_USAGE
    assert "no 'diagnosis' column" in capsys.readouterr().err
    one = _csv(tmp_path / "one.csv", [(t, "benign") for t, _ in ROWS])
    assert main(["train", "--data", str(one)]) == EXIT_USAGE
    assert "at least 2 distinct labels" in capsys.readouterr().err


def test_train_skops_format(tmp_path, capsys):
    out = tmp_path / "m.skops"
    code = main(
        [
            "train",
            "--data",
            str(_csv(tmp_path / "t.csv")),
            "--kind",
            "text",
            "--cv",
            "2",
            "--out",
            str(out),
        ]
    )
    assert code == EXIT_OK
    capsys.readouterr()
    # skops files need no --trust
    assert main(["predict", "--model", str(out), "numb feet"]) == EXIT_OK


def test_train_default_is_one_command(monkeypatch, tmp_path, capsys):
    import fasciclf.models.build_default as bd
    from fasciclf.models import save_model, train

    target = tmp_path / "default_model.joblib"
    calls = []

    def fake_build(out=None, *, n_jobs=2, progress=None):
        # the real one trains on data/labeled for ~25 s; the wiring is what is tested here
        calls.append((out, n_jobs))
        texts, labels = zip(*ROWS, strict=True)
        save_model(train(texts, labels, kind="text", cv=2, params={"min_df": 1}), target)
        return target

    monkeypatch.setattr(bd, "build_default", fake_build)
    assert main(["train", "--default", "--no-progress"]) == EXIT_OK
    assert calls == [(None, 2)] and f"wrote {target}" in capsys.readouterr().out


def test_train_folds_keep_groups_whole(tmp_path, capsys):
    # the writer is the part of the id before "-": four writers, each with one
    # text of each label
    writers = [f"w{i % 4}-{i:03d}" for i in range(len(ROWS))]
    lines = ["id,text,label"] + [f'{w},"{t}",{y}' for w, (t, y) in zip(writers, ROWS, strict=True)]
    data = tmp_path / "grouped.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "m.skops"
    base = ["train", "--data", str(data), "--kind", "text", "--out", str(out), "--no-progress"]
    argv = [*base, "--cv", "2", "--group-col", "id", "--group-sep", "-"]
    assert main(argv) == EXIT_OK
    assert "2-fold CV keeping 4 groups whole" in capsys.readouterr().out
    # without --group-sep each id is its own group
    assert main([*base, "--cv", "2", "--group-col", "id"]) == EXIT_OK
    assert "keeping 8 groups whole" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--group-col", "writer"], "row w0-000: no 'writer' value to group by"),
        (["--group-sep", "-"], "--group-sep needs --group-col"),
        (["--group-col", "id", "--group-sep", ""], "--group-sep must not be empty"),
        # two labels as the groups cannot fill three folds
        (["--group-col", "label", "--cv", "3"], "need at least 3 groups; got 2"),
    ],
)
def test_train_group_errors_name_the_problem(tmp_path, capsys, extra, message):
    writers = [f"w{i % 4}-{i:03d}" for i in range(len(ROWS))]
    lines = ["id,text,label"] + [f'{w},"{t}",{y}' for w, (t, y) in zip(writers, ROWS, strict=True)]
    data = tmp_path / "grouped.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    argv = ["train", "--data", str(data), "--kind", "text", "--out", str(tmp_path / "m.skops")]
    assert main([*argv, "--no-progress", *extra]) == EXIT_USAGE
    assert message in capsys.readouterr().err
