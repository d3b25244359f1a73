"""The fast subset of benchmarks/claims_benchmark.py: claims whose truth the benchmark settles
by enumeration and exact arithmetic, each judged as it should be (right ones correct, wrong
ones wrong)."""

import importlib.util
from pathlib import Path

import pytest

from puzzles.engine import check

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "claims_benchmark.py"
_spec = importlib.util.spec_from_file_location("claims_benchmark", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

FAST = bench.build(fast=True)


def test_the_fast_subset_has_right_and_wrong_claims():
    assert len(FAST) >= 40
    assert sum(c[3] for c in FAST) >= 20 and sum(not c[3] for c in FAST) >= 20
    assert len(bench.build()) >= 100


@pytest.mark.parametrize("name,params,claim,right", FAST, ids=[f"{c[0]}:{c[2][:40]}" for c in FAST])
def test_benchmark_claim(name, params, claim, right):
    report = check(name, [claim], params=params, rtol=0.01)
    assert report.verdict == ("correct" if right else "wrong"), report.format()
