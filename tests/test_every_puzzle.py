"""Checks that every registered puzzle must pass, whoever wrote it."""

import pytest
import sympy

from puzzles.cli.main import app
from puzzles.engine import all_puzzles, check
from puzzles.engine import exact as ex
from puzzles.engine.spec import NAME_RE, QUANTITY_NAMES

PUZZLES = list(all_puzzles().values())
IDS = [p.name for p in PUZZLES]


@pytest.mark.parametrize("puzzle", PUZZLES, ids=IDS)
def test_spec_shape(puzzle):
    assert NAME_RE.match(puzzle.name)
    assert puzzle.module_name == puzzle.name.replace("-", "_")
    assert {q.name for q in puzzle.quantities} <= set(QUANTITY_NAMES)
    assert puzzle.title and "\n" not in puzzle.title
    for q in puzzle.quantities:
        if q.is_distribution:
            assert q.variable is not None and q.variable.name in ("x", "r")
    assert len(puzzle.examples) >= 2, "declare at least two other parameter points"


@pytest.mark.parametrize("puzzle", PUZZLES, ids=IDS)
def test_show_gives_nothing_away(puzzle, runner):
    result = runner.invoke(app, ["show", puzzle.name])
    assert result.exit_code == 0
    text = result.stdout
    subs = ex.substitutions(puzzle, puzzle.resolve())
    for q in puzzle.quantities:
        if q.closed_form is None:
            continue
        formula = sympy.sstr(q.closed_form)
        if len(formula) >= 3:  # a constant like 1 (hat-check's mean) is bound to appear
            assert formula not in text
        if not q.is_distribution:
            value = ex.exact_value(q.closed_form, subs)
            shown = ex.exact_str(value)
            if len(shown) >= 3:
                assert shown not in text, f"{q.name} = {shown} appears in show"
            assert f"{ex.to_float(value):.4f}" not in text
    answer = runner.invoke(app, ["show", puzzle.name, "--answer"])
    assert answer.exit_code == 0 and "answers at" in answer.stdout


@pytest.mark.parametrize("puzzle", PUZZLES, ids=IDS)
def test_check_accepts_own_closed_form_and_rejects_a_perturbed_one(puzzle):
    for q in puzzle.quantities:
        if q.closed_form is None:
            continue
        own = sympy.sstr(q.closed_form)
        report = check(puzzle, {q.name: own})
        assert report.verdict == "correct", report.format()
        perturbed = check(puzzle, {q.name: f"({own})*(1 + 1/1000)"})
        assert perturbed.verdict == "wrong", perturbed.format()


def test_readme_catalog_is_the_registry():
    from pathlib import Path

    from puzzles.engine.describe import catalog_table

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    block = readme.split("<!-- catalog:start -->\n")[1].split("\n<!-- catalog:end -->")[0]
    assert block == catalog_table(PUZZLES), "regenerate with: puzzles list --markdown"
