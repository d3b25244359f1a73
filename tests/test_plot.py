"""Pictures: `puzzles verify --plot FILE.png`, `report.plot(path)`, `check --against simulation
--plot`. Small trial counts: these check that a valid picture is written, not the statistics."""

import os
import subprocess
import sys

import numpy as np
import pytest

import puzzles.engine as engine
from puzzles.cli.main import app
from puzzles.engine import verify

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TRIALS = "100000"
RTOL = "0.05"  # few trials: 'agree' only needs the band within 5% of the exact value


def run(runner, *args):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def assert_png(path, min_width=1000):
    from PIL import Image

    with open(path, "rb") as handle:
        assert handle.read(8) == PNG_SIGNATURE
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width >= min_width, image.size
        return image.size


def leftovers(folder):
    return sorted(os.listdir(folder))


def test_verify_plot_pmf_puzzle(runner, tmp_path):
    out = tmp_path / "handshakes.png"
    code, stdout, stderr = run(runner, "verify", "handshakes", "-n", TRIALS, "--rtol", RTOL,
                               "--plot", str(out))
    assert code == 0, stderr
    assert "verdict: agree" in stdout and "wrote" not in stdout
    assert stderr.strip() == f"wrote {out}"
    assert_png(out)
    assert leftovers(tmp_path) == ["handshakes.png"]  # no temporary file left beside it


def test_report_plot_cdf_puzzle(tmp_path):
    report = verify("ball-min-distance", trials=100_000, seed=3, threads=2)
    assert any(q.name == "cdf" for q in report.quantities)
    out = tmp_path / "ball.png"
    report.plot(out)
    assert_png(out)


def test_verify_plot_scalar_only_puzzle_keeps_json_pure(runner, tmp_path):
    import json

    out = tmp_path / "birthday.png"
    code, stdout, stderr = run(runner, "verify", "birthday", "-n", TRIALS, "--rtol", RTOL,
                               "--json", "--plot", str(out))
    assert code == 0, stderr
    assert [q["name"] for q in json.loads(stdout)["quantities"]] == ["probability"]
    assert "wrote" in stderr
    assert_png(out)


def test_plot_of_a_disagreement(tmp_path):
    """A wrong closed form still draws (its panel in the 'disagree' colour)."""
    import dataclasses

    from puzzles.engine import Mean, get_puzzle

    puzzle = get_puzzle("handshakes")
    a, b = puzzle.symbols.values()
    wrong = dataclasses.replace(puzzle, quantities=[
        Mean(2 * a * b / (a + b)) if q.name == "mean" else q for q in puzzle.quantities])
    report = verify(wrong, trials=100_000, threads=2)
    assert report.verdict == "disagree"
    report.plot(tmp_path / "wrong.png")
    assert_png(tmp_path / "wrong.png")


def test_running_band_ends_at_the_reported_band():
    """The convergence panels are drawn from the per-chunk rows, never a second simulation;
    their last point must be the band the table prints."""
    from puzzles.engine.plot import _running_bands

    report = verify("hat-check", trials=3 * 65_536 + 100, seed=5, threads=2)
    for q in report.quantities:
        if q.name in ("mean", "variance", "probability"):
            running = q.data["running"]
            assert running.shape == (4, 5)  # 4 chunks, (n, s1, s2, s3, s4)
            # with the run's band rule, and with the fallback for data recorded without it
            # (a normal band: only an asymptotic band is that fallback)
            without_rule = {k: v for k, v in q.data.items() if k != "confidence"}
            for data in (q.data, without_rule) if q.band == "asymptotic" else (q.data,):
                est, low, high = _running_bands(q, data)
                assert np.isclose(est[-1], q.estimate, rtol=1e-9)
                assert np.isclose(low[-1], q.ci_low, rtol=1e-9)
                assert np.isclose(high[-1], q.ci_high, rtol=1e-9)
                assert (high - low)[0] > (high - low)[-1]  # the band shrinks


def test_check_against_simulation_plot(runner, tmp_path):
    out = tmp_path / "claim.png"
    code, stdout, stderr = run(runner, "check", "handshakes", "mean=2*a*b/(a+b-1)",
                               "--against", "simulation", "-n", TRIALS, "--rtol", RTOL,
                               "--plot", str(out))
    assert code == 0, stderr
    assert "agree" in stdout
    assert stderr.strip() == f"wrote {out}"
    assert_png(out)


def test_check_plot_needs_against_simulation(runner, tmp_path):
    out = tmp_path / "claim.png"
    code, stdout, stderr = run(runner, "check", "handshakes", "mean=2*a*b/(a+b-1)",
                               "--plot", str(out))
    assert code == 2
    assert "--against simulation" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert leftovers(tmp_path) == []


def _no_simulation(monkeypatch):
    """A bad --plot path must be refused before any trial is simulated."""
    def simulate(*args, **kwargs):
        raise AssertionError("simulated although the --plot path is bad")

    monkeypatch.setattr(engine, "verify", simulate)
    monkeypatch.setattr(engine, "check", simulate)


@pytest.mark.parametrize("command", [
    ["verify", "handshakes", "-n", TRIALS],
    ["check", "handshakes", "mean=2*a*b/(a+b-1)", "--against", "simulation", "-n", TRIALS],
])
@pytest.mark.parametrize("bad,needle", [
    ("missing/out.png", "does not exist"),
    ("out.jpg", "must end in .png"),
    ("out", "must end in .png"),
    ("a-file/out.png", "is not a folder"),
    ("a-folder.png", "it is a folder"),
])
def test_bad_plot_path_exit_2_one_line_nothing_written(runner, tmp_path, monkeypatch, command,
                                                       bad, needle):
    _no_simulation(monkeypatch)
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "a-folder.png").mkdir()
    before = leftovers(tmp_path)
    code, stdout, stderr = run(runner, *command, "--plot", str(tmp_path / bad))
    assert code == 2, (stdout, stderr)
    assert needle in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "Traceback" not in stdout + stderr
    assert leftovers(tmp_path) == before


def test_unwritable_folder_exit_2(runner, tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        probe = folder / "probe"
        try:
            probe.write_text("")  # root ignores permissions: nothing to test then
            probe.unlink()
            pytest.skip("this user can write into a read-only folder")
        except PermissionError:
            pass
        _no_simulation(monkeypatch)
        code, _, stderr = run(runner, "verify", "handshakes", "--plot", str(folder / "x.png"))
        assert code == 2
        assert "not writable" in stderr and len(stderr.strip().splitlines()) == 1
        assert leftovers(folder) == []
    finally:
        folder.chmod(0o700)


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    """A failure while saving (disk full, say) leaves neither the PNG nor a temporary file."""
    from matplotlib.figure import Figure

    from puzzles.engine.errors import InvalidOption

    report = verify("birthday", trials=10_000, threads=1)

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full_disk)
    with pytest.raises(InvalidOption, match="No space left"):
        report.plot(tmp_path / "b.png")
    assert leftovers(tmp_path) == []


def test_replacing_an_existing_picture(tmp_path):
    out = tmp_path / "b.png"
    out.write_bytes(b"old")
    verify("birthday", trials=10_000, threads=1).plot(out)
    assert_png(out)
    assert leftovers(tmp_path) == ["b.png"]


def test_cli_without_plot_does_not_import_matplotlib():
    code = ("import sys\n"
            "from typer.testing import CliRunner\n"
            "from puzzles.cli.main import app\n"
            "r = CliRunner().invoke(app, ['verify', 'birthday', '-n', '1000'])\n"
            "assert 'verdict:' in r.output, r.output\n"
            "print('matplotlib' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
