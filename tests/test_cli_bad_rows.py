"""``fasciclf extract --input`` and ``fasciclf predict --input`` on files with bad rows.

Per-row errors go to stderr as ``row ID: reason``, the other rows are processed,
and the exit code is 1 when some rows failed, 2 when the file is unusable.
"""

from __future__ import annotations

import io
import json

import pytest

from fasciclf.cli import EXIT_OK, EXIT_ROW_ERRORS, EXIT_USAGE, main
from fasciclf.data._io import InputError, iter_rows
from fasciclf.features import MAX_CHARS

GOOD_A = "left calf twitching for weeks, strength fine"
GOOD_B = "both feet numb and burning at night"
# 2 MB, no lexicon words after the first sentence: truncated, and fast to read.
HUGE = "My calf twitches. " + "lorem ipsum dolor sit amet " * (2_000_000 // 27)

COMMANDS = {
    "extract": ["extract", "--no-findings", "--no-progress"],
    "predict": ["predict", "--json", "--no-progress"],
}


# the huge field is read up to MAX_CHARS, and the row says so
TRUNCATED = "row {}: warning: text truncated to " + str(MAX_CHARS) + " characters"


@pytest.fixture(params=sorted(COMMANDS))
def run(request, capsys):
    """Run a command over a file: (exit code, output rows by id, stderr lines)."""

    def _run(path, *extra):
        code = main([*COMMANDS[request.param], "--input", str(path), *extra])
        captured = capsys.readouterr()
        rows = {}
        for line in captured.out.splitlines():
            d = json.loads(line)
            rows[d["id"]] = d
        return code, rows, captured.err.splitlines()

    _run.command = request.param
    return _run


def _jsonl(path, lines: list[bytes]):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _j(**obj) -> bytes:
    return json.dumps(obj).encode()


# ------------------------------------------------------------------- unusable files


def test_csv_without_the_text_column_is_a_usage_error(run, tmp_path):
    f = tmp_path / "in.csv"
    f.write_text(f'id,body\n1,"{GOOD_A}"\n', encoding="utf-8")
    code, rows, err = run(f)
    assert code == EXIT_USAGE and rows == {}
    assert "no 'text' column" in err[-1] and "['id', 'body']" in err[-1]
    assert "--text-col" in err[-1]
    # naming the column fixes it
    assert run(f, "--text-col", "body")[0] == EXIT_OK


def test_jsonl_without_the_text_key_anywhere_is_a_usage_error(run, tmp_path):
    f = _jsonl(tmp_path / "in.jsonl", [_j(id="a", body=GOOD_A), b"not json", _j(body=GOOD_B)])
    code, rows, err = run(f)
    assert code == EXIT_USAGE and rows == {}
    assert "no 'text' key in any JSON object" in err[-1] and "['id', 'body']" in err[-1]


@pytest.mark.parametrize("content", [b"", b"\n", b"\xef\xbb\xbf"])
def test_empty_csv_is_a_usage_error(run, tmp_path, content):
    f = tmp_path / "in.csv"
    f.write_bytes(content)
    code, rows, err = run(f)
    assert code == EXIT_USAGE and "no 'text' column" in err[-1]


# ----------------------------------------------------------------------- bad rows


def test_jsonl_bad_rows_are_reported_and_the_rest_processed(run, tmp_path):
    f = _jsonl(
        tmp_path / "in.jsonl",
        [
            _j(id="a", text=GOOD_A),
            b'{"id": "b", "text": "caf\xe9 twitch"}',  # Latin-1, not UTF-8
            b"",
            b"   \t",
            b'{"id": "c", "text": ',  # cut off
            b"[1, 2]",
            _j(id="d", body=GOOD_A),
            _j(id="e", text=None),
            _j(id="f", text=5),
            _j(id="g", text="  "),
            _j(id="h", text=HUGE),
            _j(id="i", text=GOOD_B) + b"\r",  # CRLF line
            _j(id="\ud800", text="calf cramps \ud800 at night"),  # escaped lone surrogates
        ],
    )
    code, rows, err = run(f)
    assert code == EXIT_ROW_ERRORS
    assert list(rows) == ["a", "h", "i", "\ufffd"]
    assert err == [
        "row 2: not valid UTF-8 (invalid continuation byte at byte 24)",
        "row 3: empty line",
        "row 4: empty line",
        "row 5: invalid JSON (Expecting value)",
        "row 6: expected a JSON object, got list",
        "row d: missing 'text' key",
        "row e: 'text' is null",
        "row f: 'text' must be a string, got int",
        "row g: empty 'text'",
        TRUNCATED.format("h"),
        "9 of 13 rows failed",
    ]
    _check_huge(rows["h"], run.command)
    _check_good(rows, run.command)


def test_csv_bad_rows_are_reported_and_the_rest_processed(run, tmp_path):
    f = tmp_path / "in.csv"
    f.write_bytes(
        b"\n".join(
            [
                b"id,text,note",
                b'1,"' + GOOD_A.encode() + b'",x',
                b"2,caf\xe9 twitch,x",  # Latin-1 byte in the text
                b"",
                b"3,,x",
                b'4,"' + HUGE.encode() + b'",x',
                b"5,numb\x00feet,x",
                b'6,"my calf\nline two twitches",x',  # quoted newline
                b'7,"closed" then text,x',  # text after a closing quote
                b"8",  # short row
                b'a,"' + GOOD_B.encode() + b'",caf\xe9',  # bad byte in another column
            ]
        )
        + b"\n"
    )
    code, rows, err = run(f)
    assert code == EXIT_ROW_ERRORS
    assert list(rows) == ["1", "4", "5", "6", "a"]
    # streamed: the reader's errors and the truncation warning may interleave
    assert _in_any_order(err) == _in_any_order(
        [
            "row 2: 'text' is not valid UTF-8 (byte 0xe9 at character 3)",
            "row 4: empty line",
            "row 3: empty 'text'",
            "row 10: malformed CSV row (',' expected after '\"')",
            "row 8: missing 'text' value (the row has 1 fields)",
            TRUNCATED.format("4"),
            "5 of 10 rows failed",
        ]
    )
    _check_huge(rows["4"], run.command)
    _check_good({"a": rows["1"], "i": rows["a"]}, run.command)


def test_csv_unclosed_quote_is_reported_not_swallowed(run, tmp_path):
    f = tmp_path / "in.csv"
    f.write_text(f'id,text\n1,"{GOOD_A}"\n2,"calf twitch\n3,{GOOD_B}\n', encoding="utf-8")
    code, rows, err = run(f, "--text-col", "text")
    assert code == EXIT_ROW_ERRORS and list(rows) == ["1"]
    assert "row 3: malformed CSV row (unexpected end of data)" in err[0]
    assert "unclosed quote" in err[0]


def test_whole_file_in_another_encoding(run, tmp_path):
    f = tmp_path / "in.tsv"
    f.write_bytes(
        "text\tid\ncrampes au mollet, été\t1\nno accents here, calf twitch\t2\n".encode("latin-1")
    )
    code, rows, err = run(f)
    assert code == EXIT_ROW_ERRORS and list(rows) == ["2"]
    assert "row 1: 'text' is not valid UTF-8 (byte 0xe9 at character 19)" in err


def test_byte_order_marks_are_ignored(run, tmp_path):
    bom = b"\xef\xbb\xbf"
    csv = tmp_path / "in.csv"
    csv.write_bytes(bom + f"id,text\n1,{GOOD_B}\n".encode())
    jsonl = _jsonl(tmp_path / "in.jsonl", [bom + _j(id="a", text=GOOD_A), _j(id="b", text=GOOD_B)])
    code, rows, _ = run(csv)
    assert code == EXIT_OK and list(rows) == ["1"]
    code, rows, _ = run(jsonl)
    assert code == EXIT_OK and list(rows) == ["a", "b"]


def test_a_genuine_replacement_character_is_not_an_encoding_error(run, tmp_path):
    f = tmp_path / "in.csv"
    f.write_text(f"id,text\n1,{GOOD_B} \ufffd\n", encoding="utf-8")
    code, rows, err = run(f)
    assert code == EXIT_OK and list(rows) == ["1"] and err == []


def test_field_over_the_csv_limit(run, tmp_path):
    # beyond 16 MB a field is a malformed row, and the rows after it still work
    f = tmp_path / "in.csv"
    f.write_text(
        f'id,text\n1,"{GOOD_A}"\n2,"{"x" * (16 * 1024 * 1024 + 1)}"\n3,{GOOD_B}\n',
        encoding="utf-8",
    )
    code, rows, err = run(f)
    assert code == EXIT_ROW_ERRORS and list(rows) == ["1", "3"]
    assert err[0] == "row 3: malformed CSV row (field larger than field limit (16777216))"


def test_all_rows_bad(run, tmp_path):
    f = _jsonl(tmp_path / "in.jsonl", [b"", b"{", _j(text=3)])
    code, rows, err = run(f)
    assert code == EXIT_ROW_ERRORS and rows == {}
    assert err[-1] == "3 of 3 rows failed"


def test_txt_and_stdin_with_empty_and_huge_lines(run, tmp_path, monkeypatch):
    data = f"{GOOD_A}\n\n   \n{HUGE}\n{GOOD_B}\r\n".encode()
    f = tmp_path / "in.txt"
    f.write_bytes(data)
    code, rows, err = run(f)
    assert code == EXIT_ROW_ERRORS and list(rows) == ["1", "4", "5"]
    assert err == [
        "row 2: empty line",
        "row 3: empty line",
        TRUNCATED.format("4"),
        "2 of 5 rows failed",
    ]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, stdin_rows, _ = run("-")
    assert code == EXIT_ROW_ERRORS and stdin_rows == rows


# ------------------------------------------------------------------ iter_rows


def test_iter_rows_ids_are_line_numbers_without_an_id_column(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text('text\n"two\nlines"\n\nthird\n', encoding="utf-8")
    assert [r[:3] for r in iter_rows(str(f))] == [
        ("2", "two\nlines", None),
        ("4", None, "empty line"),
        ("5", "third", None),
    ]


def test_iter_rows_raises_input_error_for_unusable_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        list(iter_rows(str(tmp_path / "missing.csv")))
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match="unsupported input format '.xlsx'"):
        list(iter_rows(str(tmp_path / "x.xlsx")))


# ------------------------------------------------------------------------ helpers


def _in_any_order(lines: list[str]) -> tuple[list[str], str]:
    """Per-row messages as a sorted list, and the closing summary line."""
    return sorted(lines[:-1]), lines[-1]


def _check_huge(row: dict, command: str) -> None:
    if command == "extract":
        assert row["truncated"] is True
        assert row["symptoms"]["twitching"] == "present"
    else:
        assert row["label"] is not None and sum(row["probabilities"].values()) == pytest.approx(1)
    assert len(HUGE) > 2_000_000 > MAX_CHARS


def _check_good(rows: dict, command: str) -> None:
    if command == "extract":
        assert rows["a"]["symptoms"]["twitching"] == "present"
        assert rows["i"]["symptoms"]["sensory"] == "present"
    else:
        assert rows["a"]["label"] == "benign_fasciculation"
        assert rows["i"]["label"] == "peripheral_neuropathy"
