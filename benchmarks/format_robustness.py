"""Extraction on text as it arrives from forms, phones and e-mail.

Usage::

    python benchmarks/format_robustness.py [FILE ...]

The written corpus is typed with plain spaces, mixed case and full stops;
real messages are not. This copies each gold-annotated text of the given
files (default: the challenge and selection sets, never trained on) into
forms that mean the same to a reader:

- ``no-break spaces``: every space a no-break space (pasted from a web page);
- ``tabs``: every space after a comma or full stop a tab;
- ``capitals``: the whole text in capitals (a frightened writer shouting);
- ``line per sentence``: each ". " a full stop and a Windows line break;
- ``emoji``: an emoji before each sentence's full stop;
- ``curly quotes``: typographic apostrophes and quotes, as phones type them;
- ``html entities``: apostrophes and ampersands as ``&#39;`` and ``&amp;``
  (a scraped web form);
- ``markdown emphasis``: every word of eight letters or more in ``**bold**``;
- ``no full stops``: every full stop between sentences dropped (a phone post).
  This one is not the same text to a reader either: where a sentence ends is
  part of what it says; fasciclf reads it less well (see the README).

and prints the per-field agreement (as ``benchmarks/extraction_accuracy.py``)
per voice for each form beside the clean text, and how many motor neuron
disease and myasthenia texts a red-flag rule flags.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from typo_robustness import DEFAULT_FILES, FIELDS, gold_rows, table_row  # noqa: E402

from fasciclf.features import extract_many  # noqa: E402

# every word of eight letters or more in bold, as a forum post stresses
_LONG_WORD = re.compile(r"\b([A-Za-z]{8,})\b")

FORMS: dict[str, Callable[[str], str]] = {
    "clean": lambda t: t,
    "no-break spaces": lambda t: t.replace(" ", "\u00a0"),
    "tabs": lambda t: t.replace(", ", ",\t").replace(". ", ".\t"),
    "capitals": str.upper,
    "line per sentence": lambda t: t.replace(". ", ".\r\n"),
    "emoji": lambda t: t.replace(". ", " \U0001f61f. "),
    "curly quotes": lambda t: t.replace("'", "\u2019").replace('"', "\u201c"),
    "html entities": lambda t: t.replace("&", "&amp;").replace("'", "&#39;"),
    "markdown emphasis": lambda t: _LONG_WORD.sub(r"**\1**", t),
    "no full stops": lambda t: t.replace(". ", " ").replace(".\n", "\n"),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    args = ap.parse_args(argv)
    rows = gold_rows(args.files)
    print(f"{len(rows)} texts with gold from {', '.join(p.name for p in args.files)}")
    for voice in ("narrative", "question"):
        voice_rows = [r for r in rows if (r.get("voice") or "question") == voice]
        if not voice_rows:
            continue
        print(f"\n{voice} (n={len(voice_rows)})")
        print(f"  {'':24s}" + "".join(f"{f:>16s}" for f in FIELDS) + f"{'rule flags':>16s}")
        for name, form in FORMS.items():
            feats = list(extract_many([form(r["text"]) for r in voice_rows]))
            print(table_row(name, voice_rows, feats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
