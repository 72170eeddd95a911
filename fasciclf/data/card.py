"""Regenerate (or ``--check``) the composition tables of ``DATACARD.md``.

Run ``python -m fasciclf.data.card`` after rebuilding the corpus;
``python -m fasciclf.data.card --check`` exits 1 when the tables are stale.
"""

from __future__ import annotations

import sys

from fasciclf.data._card import main, update_datacard

__all__ = ["main", "update_datacard"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
