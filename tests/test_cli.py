import json
import subprocess
import sys

import pytest

from puzzles.cli.main import app


def run(runner, *args):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_verify_agrees_exit_0(runner):
    code, out, _ = run(runner, "verify", "handshakes", "--trials", "100000", "--rtol", "0.05")
    assert code == 0
    assert "verdict: agree" in out
    assert "160/17" in out


def test_verify_json_is_only_json(runner):
    code, out, _ = run(runner, "verify", "handshakes", "-n", "1e5", "--json", "--param", "a=3", "-p", "b=5",
                       "--rtol", "0.05")
    assert code == 0
    data = json.loads(out)
    assert data["params"] == {"a": 3, "b": 5}
    assert data["trials"] == 100000
    assert data["verdict"] == "agree"
    mean = data["quantities"][0]
    assert mean["exact_str"] == "30/7"
    assert {"exact", "estimate", "ci_low", "ci_high", "p_value", "agree"} <= set(mean)


@pytest.mark.parametrize("args,needle", [
    (["verify", "handshake"], "did you mean handshakes"),
    (["verify", "nosuchpuzzle"], "unknown puzzle"),
    (["verify", "handshakes", "--param", "c=3"], "unknown parameter 'c'"),
    (["verify", "handshakes", "--param", "a=-3"], "a=-3 is out of range"),
    (["verify", "handshakes", "--param", "a=2.5"], "a=2.5 must be integer"),
    (["verify", "handshakes", "--param", "a=abc"], "a=abc is not a number"),
    (["verify", "handshakes", "--param", "a"], "NAME=VALUE"),
    (["verify", "handshakes", "--param", "a=1", "--param", "b=1"], "need a + b >= 3"),
    (["verify", "ball-min-distance", "--param", "d=0"], "d=0 is out of range"),
    (["verify", "handshakes", "--trials", "0"], "--trials"),
    (["verify", "handshakes", "--trials", "-5"], "--trials"),
    (["verify", "handshakes", "--trials", "lots"], "--trials"),
    (["verify", "handshakes", "--threads", "0"], "--threads 0"),
    (["verify", "handshakes", "--alpha", "0"], "--alpha 0"),
    (["verify", "handshakes", "--alpha", "1.5"], "--alpha 1.5"),
    (["verify", "handshakes", "--rtol", "-1"], "--rtol -1"),
    (["verify", "handshakes", "--atol", "-1"], "--atol -1"),
    (["verify", "handshakes", "--trials", "auto", "--max-trials", "0"], "--max-trials"),
    (["verify", "handshakes", "--trials", "auto", "--max-seconds", "0"], "--max-seconds 0"),
    (["show", "nosuch"], "unknown puzzle"),
])
def test_bad_input_exit_2_one_line(runner, args, needle):
    code, out, err = run(runner, *args)
    assert code == 2, (out, err)
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_console_script_usage_errors_are_one_line():
    # click's own errors (an option that is not a number) also end in one line and exit 2
    proc = subprocess.run([sys.executable, "-m", "puzzles.cli", "verify", "handshakes", "--threads", "x"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_list_names_every_puzzle(runner):
    code, out, _ = run(runner, "list")
    assert code == 0
    assert "handshakes" in out and "ball-min-distance" in out


def test_show_gives_no_answer_unless_asked(runner):
    code, out, _ = run(runner, "show", "handshakes")
    assert code == 0
    assert "default 8" in out and "160/17" not in out and "binomial" not in out
    code, out, _ = run(runner, "show", "handshakes", "--answer")
    assert code == 0 and "160/17" in out


def test_inconclusive_exit_3_says_how_many_trials(runner):
    code, out, _ = run(runner, "verify", "handshakes", "--trials", "70000")
    assert code == 3
    assert "verdict: inconclusive" in out and "trials would settle it" in out


def test_auto_trials(runner):
    code, out, _ = run(runner, "verify", "handshakes", "--trials", "auto", "--rtol", "0.01", "--json")
    data = json.loads(out)
    assert code == 0 and data["mode"] == "auto" and data["stopped"] == "decided"
    assert data["verdict"] == "agree" and data["trials"] < 10_000_000
