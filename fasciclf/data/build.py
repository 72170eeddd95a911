"""Build ``data/labeled/corpus.jsonl`` from the hand-written parts.

Run ``python -m fasciclf.data.build`` (``--dry-run`` to report only). See
:func:`fasciclf.data._build.build_corpus` for what it does.
"""

from __future__ import annotations

import sys

from fasciclf.data._build import build_corpus, main

__all__ = ["build_corpus", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
