"""Execute the notebooks in ``notebooks/`` top to bottom, so that they never rot.

Each notebook runs in a fresh ``python3`` kernel (ipykernel, from the ``test``
extra) with ``notebooks/`` as its working directory, as a reader would run it.
The kernel is pinned to the interpreter running pytest, so a ``python3``
kernelspec installed elsewhere (e.g. a user-wide Jupyter) cannot substitute
another Python without fasciclf.
The notebooks are stored without outputs; the executed copies are kept in
memory only, and a notebook must not leave files behind in the repository
(they write to temporary directories).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
EXPECTED = ("01_quickstart.ipynb", "02_your_own_labels.ipynb", "03_error_analysis.ipynb")
CELL_TIMEOUT = 300  # seconds per cell
DISCLAIMER_WORDS = "triage aid, not a diagnosis"


def _notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def _tree(root: Path) -> set[str]:
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts
    }


def _output_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            for value in (out.get("data") or {}).values():
                if isinstance(value, str):
                    parts.append(value)
    return "\n".join(parts)


def test_expected_notebooks_exist():
    names = {p.name for p in _notebooks()}
    assert set(EXPECTED) <= names, f"missing notebooks: {sorted(set(EXPECTED) - names)}"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_notebook_is_stored_clean(path: Path):
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} have stored outputs or execution counts; clear them "
        "before committing (e.g. jupyter nbconvert --clear-output --inplace)"
    )


@pytest.fixture
def this_python_kernel(tmp_path, monkeypatch):
    """A ``python3`` kernelspec that runs this interpreter, first on JUPYTER_PATH."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (fasciclf tests)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "python3"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.stem)
def test_notebook_executes(path: Path, this_python_kernel: str):
    nb = nbformat.read(path, as_version=4)
    before = _tree(NOTEBOOKS)
    client = NotebookClient(
        nb,
        kernel_name=this_python_kernel,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError naming the failing cell
    seconds = time.perf_counter() - start
    print(f"{path.name}: executed in {seconds:.1f} s")

    created = _tree(NOTEBOOKS) - before
    assert not created, f"{path.name} wrote into the repository: {sorted(created)}"
    # Wherever predictions appear, the triage-aid disclaimer must be shown with them.
    assert DISCLAIMER_WORDS in _output_text(nb), f"{path.name} never shows the disclaimer"
