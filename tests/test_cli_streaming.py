"""The one reader and the streaming CLI: hostile rows, unusable inputs, pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest

from fasciclf.cli import EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE, main
from fasciclf.data._io import InputError, iter_rows, parse_alt_labels

GOOD_A = "left calf twitching for weeks, strength fine"
GOOD_B = "both feet numb and burning at night"


# ------------------------------------------------------------------ hostile rows


def test_jsonl_rows_python_refuses_do_not_lose_the_batch(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": GOOD_A}),
                '{"id": "big", "text": "x", "n": ' + "9" * 5000 + "}",
                "[" * 100_000 + "]" * 100_000,
                json.dumps({"id": "null", "text": None}),
                json.dumps({"id": "b", "text": GOOD_B}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    rows = list(iter_rows(f))
    assert [r.text for r in rows] == [GOOD_A, None, None, None, GOOD_B]
    assert "invalid JSON (Exceeds the limit" in rows[1].error
    assert rows[2].error == "invalid JSON (nested too deeply)"
    assert rows[3].error == "'text' is null"


def test_csv_quote_opened_and_closed_rows_later_names_every_affected_line(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text(
        f'id,text\n1,"{GOOD_A}\n2,{GOOD_B}\n3,bye"\n4,{GOOD_B}\n5,"a real\ntwo-line text"\n',
        encoding="utf-8",
    )
    rows = [r[:4] for r in iter_rows(f)]
    assert rows[0][2].startswith("malformed CSV row (the quote opened on line 2 closes on line 4")
    assert rows[1] == ("3", None, "line 3 not read: it is inside the quote opened on line 2", 3)
    assert rows[2] == ("4", None, "line 4 not read: it is inside the quote opened on line 2", 4)
    # the rows after it, a legitimate multi-line text included, are read
    assert rows[3:] == [("4", GOOD_B, None, 5), ("5", "a real\ntwo-line text", None, 6)]


def test_unclosed_quote_reports_the_lines_it_swallowed(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text(f'id,text\n1,{GOOD_B}\n2,"open\n3,{GOOD_B}\n4,{GOOD_B}\n', encoding="utf-8")
    rows = [r[:3] for r in iter_rows(f)]
    assert rows[0] == ("1", GOOD_B, None)
    assert "unclosed quote runs to the end of the file" in rows[1][2]
    assert [r[0] for r in rows[2:]] == ["4", "5"]


def test_csv_row_with_more_fields_than_the_header_is_reported(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text(f"id,text\n1,{GOOD_A}\n2,{GOOD_B}\n", encoding="utf-8")
    rows = [r[:3] for r in iter_rows(f)]
    assert rows[0][2].startswith("the row has 3 fields but the header 2")
    assert rows[1] == ("2", GOOD_B, None)


def test_one_alt_label_parser():
    assert parse_alt_labels("a|b;c") == ["a", "b;c"]
    assert parse_alt_labels('["x"]') == ["x"]
    assert parse_alt_labels("") == []


# --------------------------------------------------------------- unusable input


@pytest.mark.parametrize("command", ["extract", "predict"])
def test_directory_input_is_named_as_such(command, tmp_path, capsys):
    assert main([command, "--input", str(tmp_path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "is a directory" in err and "Traceback" not in err


def test_directory_as_model_is_named_as_such(tmp_path, capsys):
    assert main(["predict", "--model", str(tmp_path), GOOD_A]) == EXIT_USAGE
    assert "model file is not a regular file" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_input_is_named_as_such(tmp_path, capsys):
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    assert main(["predict", "--input", str(fifo)]) == EXIT_USAGE
    assert "named pipe (FIFO)" in capsys.readouterr().err


def test_permission_denied_is_a_clear_usage_error(tmp_path, capsys, monkeypatch):
    import fasciclf.data._io as io_module

    f = tmp_path / "in.txt"
    f.write_text(GOOD_A + "\n", encoding="utf-8")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # root reads any file, so the refusal is simulated where the reader opens it
    monkeypatch.setattr(io_module, "open", denied, raising=False)
    with pytest.raises(InputError, match="permission denied"):
        list(iter_rows(f))
    assert main(["extract", "--input", str(f)]) == EXIT_USAGE
    assert "permission denied: cannot read" in capsys.readouterr().err


def test_unreadable_model_file_is_a_clear_usage_error(tmp_path, capsys, monkeypatch):
    import fasciclf.models._persist as persist

    model = tmp_path / "m.skops"
    model.write_bytes(b"PK")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(persist, "load_model", denied)
    assert main(["predict", "--model", str(model), GOOD_A]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "permission denied: cannot read the model file" in err and "Traceback" not in err


# ------------------------------------------------------------------- streaming


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "fasciclf.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def test_broken_pipe_exits_0_quietly(tmp_path):
    f = tmp_path / "in.txt"
    f.write_text(f"{GOOD_A}\n{GOOD_B}\n" * 300, encoding="utf-8")
    proc = _cli("predict", "--json", "--features", "--input", str(f))
    first = proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == EXIT_OK
    assert json.loads(first)["id"] == "1"
    assert err == ""


def test_predict_prints_before_the_input_ends():
    """Rows come out while stdin is still open: the CLI streams."""
    proc = _cli("extract", "--input", "-", "--no-findings", stdin=subprocess.PIPE)
    proc.stdin.write(f"{GOOD_A}\n".encode() * 40)
    proc.stdin.flush()
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=120)
    still_open = not proc.stdin.closed
    proc.stdin.close()
    proc.wait(timeout=120)
    assert still_open and got and json.loads(got[0])["id"] == "1"


# --------------------------------------------------------------- human output


def _pred(**kw):
    base = dict(
        label="benign_fasciculation",
        top_k=[("benign_fasciculation", 0.45), ("other", 0.3)],
        abstained=False,
        abstain_reason=None,
        benign_with_red_flags=False,
        red_flags=(),
        error=None,
    )
    return SimpleNamespace(**{**base, **kw})


def test_red_flags_are_printed_before_the_label():
    from fasciclf.models._cli import _human

    flag = SimpleNamespace(code="wasting", reason="Muscle wasting.", evidence=[(0, 4, "thin")])
    out = _human(_pred(benign_with_red_flags=True, red_flags=(flag,)), "7").splitlines()
    assert out[0].startswith("[7] ! red flags are present")
    assert out[1].strip().startswith("RED FLAG wasting")
    assert out[2].strip().startswith("most likely: benign_fasciculation")


def test_abstention_is_explained_in_words():
    from fasciclf.models._cli import _human

    out = _human(_pred(abstained=True, abstain_reason="low_confidence"), None)
    assert "abstained: low_confidence: the model is unsure" in out


def test_exit_code_1_when_some_rows_fail(tmp_path, capsys):
    f = tmp_path / "in.txt"
    f.write_text(f"{GOOD_A}\n\n", encoding="utf-8")
    assert main(["extract", "--input", str(f)]) == EXIT_ROW_ERRORS
    assert capsys.readouterr().err.splitlines() == ["row 2: empty line", "1 of 2 rows failed"]
