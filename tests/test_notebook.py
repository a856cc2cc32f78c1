"""The exploration notebook runs end to end, so it cannot rot."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells
    assert all(not c.outputs and c.execution_count is None for c in code_cells)


@pytest.mark.slow
def test_notebook_executes_and_shows_the_map_inline(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    last = nb.cells[-1].outputs
    html = "".join(o.get("data", {}).get("text/html", "") for o in last)
    # folium shows a map inline as an iframe holding the whole Leaflet page.
    assert "<iframe" in html and "leaflet" in html.lower()
    first = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert "places in the gazetteer" in first
