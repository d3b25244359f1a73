"""docs/tour.ipynb runs, cell by cell, in a fresh Jupyter kernel (nbclient), so it never rots:
and what it shows is looked at -- the report's HTML with its picture, the figures, the verdicts."""

import base64
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOUR = ROOT / "docs" / "tour.ipynb"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    folder = tmp_path_factory.mktemp("tour")
    notebook = nbformat.read(TOUR, as_version=4)
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([saved] if saved else []))
    os.environ.pop("PUZZLES_PATH", None)
    try:  # the kernel is a new process: it imports this checkout, whatever is installed
        nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    return notebook


def _outputs(notebook, start):
    """The outputs of the code cell whose source starts with `start`."""
    (cell,) = [c for c in notebook.cells if c.cell_type == "code" and c.source.startswith(start)]
    return cell.outputs


def _data(outputs, mime):
    return [o["data"][mime] for o in outputs if mime in o.get("data", {})]


@pytest.mark.slow
def test_every_cell_runs(executed):
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


@pytest.mark.slow
def test_the_report_shows_its_table_and_picture(executed):
    (html,) = _data(_outputs(executed, "import puzzles"), "text/html")
    assert "<table" in html and ">agree</span>" in html
    picture = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert picture and base64.b64decode(picture.group(1)).startswith(PNG)
    (text,) = _data(_outputs(executed, "print(report)"), "text/plain")
    assert text == "'agree'"


@pytest.mark.slow
def test_the_tour_shows_verdicts_figures_and_frames(executed):
    (claims,) = _data(_outputs(executed, "claims = puzzles.check"), "text/html")
    assert ">correct</span>" in claims and ">WRONG</span>" in claims
    (figure,) = _data(_outputs(executed, "by_simulation = "), "image/png")
    assert base64.b64decode(figure).startswith(PNG)
    (new,) = _data(_outputs(executed, "import os"), "text/plain")
    assert new.startswith("first-six  s=6") and new.rstrip().endswith("verdict: agree")
    (verdicts,) = _data(_outputs(executed, "from puzzles.testing"), "text/plain")
    assert verdicts == "['agree', 'agree']"
    (sweep,) = _data(_outputs(executed, "from puzzles.engine.sweep"), "text/html")
    assert sweep.count(">agree<") == 11 and "inconclusive" not in sweep
    (plot,) = _data(_outputs(executed, "ax = frame.plot"), "image/png")
    assert base64.b64decode(plot).startswith(PNG)
