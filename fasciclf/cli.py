"""The ``fasciclf`` console script.

Each subpackage contributes its subcommands from a small ``_cli.py`` module
with ``add_parsers(subparsers)``; heavy imports (spaCy, scikit-learn,
matplotlib) happen inside the handlers so ``fasciclf --help`` stays fast.

Exit codes: 0 success, 1 some input rows failed, 2 usage error or unusable
input, 3 model file refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence

from fasciclf._version import __version__

EXIT_OK = 0
EXIT_ROW_ERRORS = 1
EXIT_USAGE = 2
EXIT_MODEL_REFUSED = 3

_SUBCOMMAND_MODULES = (
    "fasciclf.features._cli",
    "fasciclf.models._cli",
    "fasciclf.evaluation._cli",
)


class InputError(ValueError):
    """An input file that cannot be read at all (missing, unknown format, no text column)."""


_SURROGATES = None  # compiled on first use: re is cheap, but keep `fasciclf --help` lean


def _surrogates():
    global _SURROGATES
    if _SURROGATES is None:
        import re

        _SURROGATES = re.compile("[\ud800-\udfff]")
    return _SURROGATES


def _clean_id(value: object) -> str:
    # Row ids go to stdout and stderr: a lone surrogate (from a JSON "\ud800"
    # escape or an undecodable byte) cannot be encoded there and would crash
    # the whole run, so it becomes U+FFFD.
    return _surrogates().sub("\ufffd", str(value))


def iter_input_rows(
    path: str, *, text_col: str = "text", id_col: str = "id"
) -> Iterator[tuple[str, object, str | None]]:
    r"""Rows of an input file as ``(row id, text, error)``.

    ``.txt`` (one text per line), ``.csv``/``.tsv`` and ``.jsonl``; ``-`` reads
    stdin as text lines. Bad rows (wrong encoding, bad JSON, malformed CSV,
    empty lines, missing or empty text) come back with an error message and
    the other rows are unaffected; a file that cannot be read at all, or
    has no ``text_col`` column (CSV header) or key (in any JSONL object),
    raises :class:`InputError` (for JSONL after its rows were yielded).

    The row id is the ``id_col`` value when present, else the line number
    where the row starts. A UTF-8 byte-order mark is ignored.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "in.jsonl"
    >>> _ = f.write_bytes(b'{"id": "a", "text": "calf twitch"}\n\nnot json\n'
    ...                   b'{"text": "caf\xe9"}\n{"text": "numb feet"}\n')
    >>> for row in iter_input_rows(str(f)):
    ...     print(row)
    ('a', 'calf twitch', None)
    ('2', None, 'empty line')
    ('3', None, 'invalid JSON (Expecting value)')
    ('4', None, 'not valid UTF-8 (invalid continuation byte at byte 13)')
    ('5', 'numb feet', None)
    """
    import csv
    import io
    import json
    from pathlib import Path

    if path == "-":
        data = sys.stdin.buffer.read()
        suffix = ".txt"
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"input file not found: {path}")
        suffix = p.suffix.lower()
        if suffix not in (".txt", ".csv", ".tsv", ".jsonl", ".ndjson"):
            raise InputError(
                f"unsupported input format {suffix or '(none)'!r} for {path}; "
                "expected .txt, .csv, .tsv or .jsonl"
            )
        data = p.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a byte-order mark (Windows editors) is not part of row 1
    if suffix in (".txt", ".jsonl", ".ndjson"):
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        n_objects = 0
        has_key = False
        keys_seen: list[str] = []
        for n, raw in enumerate(lines, start=1):
            try:
                line = raw.decode("utf-8").rstrip("\r")
            except UnicodeDecodeError as exc:
                yield str(n), None, f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
                continue
            if not line.strip():
                yield str(n), None, "empty line"
                continue
            if suffix == ".txt":
                yield str(n), line, None
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield str(n), None, f"invalid JSON ({exc.msg})"
                continue
            if not isinstance(obj, dict):
                yield str(n), None, f"expected a JSON object, got {type(obj).__name__}"
                continue
            n_objects += 1
            has_key = has_key or text_col in obj
            if not keys_seen:
                keys_seen = [_clean_id(k) for k in obj]
            rid = _clean_id(obj.get(id_col, n))
            text = obj.get(text_col)
            if text is None:
                yield rid, None, f"missing {text_col!r} key"
            elif not isinstance(text, str):
                yield rid, None, f"{text_col!r} must be a string, got {type(text).__name__}"
            elif not text.strip():
                yield rid, None, f"empty {text_col!r}"
            else:
                yield rid, text, None
        if n_objects and not has_key:
            # Not a few bad rows: the wrong key for the whole file (a usage error).
            raise InputError(
                f"no {text_col!r} key in any JSON object of {path}; the first has keys "
                f"{keys_seen}. Use --text-col to name the text key"
            )
        return
    # Undecodable bytes become lone surrogates (surrogateescape), which valid
    # UTF-8 never produces: exactly the affected rows are reported, and a
    # genuine U+FFFD in a text is left alone.
    decoded = data.decode("utf-8", errors="surrogateescape")
    if _surrogates().search(decoded):
        print(
            f"warning: {path} is not valid UTF-8 throughout; the affected rows are reported",
            file=sys.stderr,
        )
    csv.field_size_limit(16 * 1024 * 1024)
    # strict: an unclosed quote or text after a closing quote is reported as a
    # malformed row instead of silently swallowing the rows that follow.
    reader = csv.reader(
        io.StringIO(decoded, newline=""),
        delimiter="\t" if suffix == ".tsv" else ",",
        strict=True,
    )
    try:
        fieldnames = next(reader)
    except (StopIteration, csv.Error):
        fieldnames = None
    if not fieldnames or text_col not in fieldnames:
        raise InputError(
            f"no {text_col!r} column in {path}; columns are "
            f"{[_clean_id(c) for c in fieldnames] if fieldnames else '(none: empty file)'}. "
            "Use --text-col to name the text column"
        )
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            hint = (
                ": an unclosed quote runs to the end of the file"
                if "unexpected end of data" in str(exc)
                else ""
            )
            yield str(start), None, f"malformed CSV row ({exc}){hint}"
            continue
        if not values or not any(v.strip() for v in values):
            yield str(start), None, "empty line"
            continue
        row = dict(zip(fieldnames, values, strict=False))
        rid = _clean_id(row.get(id_col) or start)
        text = row.get(text_col)
        if text is None:
            yield rid, None, f"missing {text_col!r} value (the row has {len(values)} fields)"
            continue
        bad = _surrogates().search(text)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            yield (
                rid,
                None,
                (f"{text_col!r} is not valid UTF-8 (byte 0x{byte:02x} at character {bad.start()})"),
            )
        elif not text.strip():
            yield rid, None, f"empty {text_col!r}"
        else:
            yield rid, text, None


def add_input_arguments(p: argparse.ArgumentParser, *, what: str) -> None:
    """The text-or-file arguments shared by ``extract`` and ``predict``."""
    p.add_argument("text", nargs="?", help=f"a description to {what}")
    p.add_argument(
        "--input", "-i", help="file with texts (.txt one per line, .csv, .tsv, .jsonl) or '-'"
    )
    p.add_argument("--text-col", default="text", help="column/key holding the text (csv/jsonl)")
    p.add_argument("--id-col", default="id", help="column/key copied to the output when present")
    p.add_argument("--n-jobs", type=int, default=1, help="processes for feature extraction")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on files")


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    """``--model`` and the explicit-trust options for joblib model files."""
    from pathlib import Path

    p.add_argument(
        "--model", type=Path, default=None, help="model file (default: the packaged one)"
    )
    p.add_argument(
        "--trust",
        action="store_true",
        help="load a joblib --model file you made or verified yourself (joblib files can "
        "run code on load; .skops files need no trust)",
    )
    p.add_argument(
        "--trusted-sha256",
        action="append",
        default=[],
        metavar="HEX",
        help="load a joblib --model file only if its SHA-256 is this value (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="fasciclf",
        description="Triage aid for lay descriptions of neuromuscular symptoms (not a diagnosis).",
    )
    parser.add_argument("--version", action="version", version=f"fasciclf {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.add_parsers(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
