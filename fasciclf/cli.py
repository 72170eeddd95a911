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


def iter_input_rows(
    path: str, *, text_col: str = "text", id_col: str = "id"
) -> Iterator[tuple[str, object, str | None]]:
    """Rows of an input file as ``(row id, text, error)``.

    ``.txt`` (one text per line), ``.csv``/``.tsv`` and ``.jsonl``; ``-`` reads
    stdin as text lines. Bad rows (wrong encoding, bad JSON, missing or empty
    text) come back with an error message and the other rows are unaffected;
    a file that cannot be read at all raises :class:`InputError`.
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
    if suffix in (".txt", ".jsonl", ".ndjson"):
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
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
            rid = str(obj.get(id_col, n))
            text = obj.get(text_col)
            if text is None:
                yield rid, None, f"missing {text_col!r} key"
            elif not isinstance(text, str):
                yield rid, None, f"{text_col!r} must be a string, got {type(text).__name__}"
            elif not text.strip():
                yield rid, None, f"empty {text_col!r}"
            else:
                yield rid, text, None
        return
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Decode line by line so that one bad row does not lose the file.
        decoded = data.decode("utf-8", errors="replace")
        bad_note = f"file is not valid UTF-8 ({exc.reason}); affected rows are reported"
        print(f"warning: {bad_note}", file=sys.stderr)
    csv.field_size_limit(16 * 1024 * 1024)
    reader = csv.DictReader(io.StringIO(decoded), delimiter="\t" if suffix == ".tsv" else ",")
    if reader.fieldnames is None or text_col not in reader.fieldnames:
        raise InputError(
            f"no {text_col!r} column in {path}; columns are {reader.fieldnames}. "
            "Use --text-col to name the text column"
        )
    n = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            n += 1
            yield str(n), None, f"malformed CSV row ({exc})"
            continue
        n += 1
        rid = str(row.get(id_col) or n)
        text = row.get(text_col)
        if text is None:
            yield rid, None, f"missing {text_col!r} value"
        elif "\ufffd" in text:
            yield rid, None, "text is not valid UTF-8"
        elif not text.strip():
            yield rid, None, f"empty {text_col!r}"
        else:
            yield rid, text, None


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
