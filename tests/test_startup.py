"""The cheap commands stay cheap: what they import, and the index of puzzle names behind them.

No wall-clock assertions: each test checks which modules a command loaded (sympy, numba,
numpy, pydantic, the puzzle modules), or what the index of names (engine/index.py) reads back
from its cache, in fresh processes where that matters.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from puzzles.engine import index as idx
from puzzles.engine.templates import render_puzzle

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEAVY = ("sympy", "numba", "numpy", "scipy", "pydantic", "matplotlib", "pandas")

# Runs the command line in this process's image and, at exit, writes what it imported.
PROBE = textwrap.dedent("""
    import atexit, json, sys
    dump = sys.argv[1]
    def _dump():
        with open(dump, "w") as f:
            json.dump(sorted(sys.modules), f)
    atexit.register(_dump)
    sys.argv = ["puzzles"] + sys.argv[2:]
    from puzzles.cli.main import main
    main()
""")


def cli_modules(tmp_path, env, *args):
    """(exit code, stdout, stderr, modules imported) of `puzzles ARGS` in a fresh process."""
    dump = tmp_path / f"modules-{os.getpid()}-{len(os.listdir(tmp_path))}.json"
    proc = subprocess.run([sys.executable, "-c", PROBE, str(dump), *args], env=env,
                          capture_output=True, text=True, timeout=300)
    assert dump.exists(), proc.stderr
    modules = json.loads(dump.read_text())
    assert "puzzles.cli.main" in modules
    return proc.returncode, proc.stdout, proc.stderr, modules


def heavy(modules):
    return sorted({m.split(".")[0] for m in modules if m.split(".")[0] in HEAVY}
                  | {m for m in modules if m.startswith("puzzles.catalog.")})


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ)
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    e["PUZZLES_CACHE_DIR"] = str(tmp_path / "cache")
    e.pop("PUZZLES_PATH", None)
    return e


@pytest.mark.parametrize("args,code", [
    (["--help"], 0),
    (["list"], 0),
    (["list", "--markdown"], 0),
    (["show", "handshakes"], 0),
    (["show", "handshak"], 2),
    (["verify", "handshak"], 2),
    (["check", "handshak", "mean=1"], 2),
    (["verify", "handshakes", "--seed", "abc"], 2),
    (["verify", "handshakes", "--rtol", "x"], 2),
    (["verify", "handshakes", "--trials", "0"], 2),
    (["verify", "handshakes", "--alpha", "2"], 2),
    (["verify", "handshakes", "--frobnicate"], 2),
    (["verify", "handshakes", "-p", "z=1"], 2),
    (["show", "handshakes", "-p", "z=1"], 2),
    (["verify", "handshakes", "--plot", "picture.txt"], 2),
    # values out of range or not numbers, read from the index
    (["verify", "handshakes", "-p", "a=0"], 2),
    (["verify", "handshakes", "-p", "a=x"], 2),
    (["verify", "handshakes", "-p", "a=1.5"], 2),
    (["verify", "handshakes", "-p", "b=1e999"], 2),
    (["verify", "handshakes", "-p", "a=3", "-p", "b=-2"], 2),
    (["show", "handshakes", "--answer", "-p", "a=0"], 2),
    (["check", "handshakes", "mean=1", "-p", "b=0.5"], 2),
    # claims that do not parse, read without sympy
    (["check", "handshakes", "mean=2*a*"], 2),
    (["check", "handshakes", "mean=2*a*b/(a+b-"], 2),
    (["check", "handshakes", "mean=2*a*b/(a+b-1))"], 2),
    (["check", "handshakes", "mean=2*a*b/(a+b-1) +"], 2),
    (["check", "handshakes", "mean=2*a*b/(a+b-1)$"], 2),
    (["check", "handshakes", "mean=2*a*b/(a+b-1)", "variance=a/b c"], 2),
    (["check", "handshakes", "foo=1"], 2),
])
def test_cheap_commands_import_nothing_heavy(tmp_path, env, args, code):
    cli_modules(tmp_path, env, "list")  # the first run fills the index's cache
    got, out, err, modules = cli_modules(tmp_path, env, *args)
    assert got == code, (out, err)
    assert "Traceback" not in out + err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
    assert heavy(modules) == [], heavy(modules)


def test_new_imports_nothing_heavy(tmp_path, env):
    cli_modules(tmp_path, env, "list")
    (tmp_path / "mine").mkdir()
    code, out, err, modules = cli_modules(tmp_path, env, "new", "dice-sum", "--dir",
                                          str(tmp_path / "mine"))
    assert code == 0, err
    assert (tmp_path / "mine" / "dice_sum.py").exists()
    assert heavy(modules) == []
    # a name already taken is refused from the index too
    code, out, err, modules = cli_modules(tmp_path, env, "new", "handshakes", "--dir",
                                          str(tmp_path / "mine"))
    assert code == 2 and "already exists" in err and heavy(modules) == []


def test_the_cheap_output_is_the_real_output(tmp_path, env):
    """list, list --markdown and show print from the cache exactly what the modules say."""
    from puzzles.engine.describe import catalog_table, describe
    from puzzles.engine.registry import registry

    reg = registry()
    for _ in range(2):  # a cold cache, then a warm one
        code, out, err, _ = cli_modules(tmp_path, env, "list", "--markdown")
        assert code == 0 and out.strip() == catalog_table(reg.puzzles.values())
        code, out, err, _ = cli_modules(tmp_path, env, "show", "handshakes")
        assert code == 0 and out.strip() == describe("handshakes")
    code, out, err, _ = cli_modules(tmp_path, env, "show", "handshake")
    assert err.strip() == "error: unknown puzzle 'handshake'; did you mean handshakes?"


@pytest.mark.parametrize("args", [
    ["verify", "handshakes", "-p", "a=0"],
    ["verify", "handshakes", "-p", "a=x"],
    ["verify", "handshakes", "-p", "a=2.5"],
    ["verify", "handshakes", "-p", "a=" + "9" * 120],
    ["verify", "handshakes", "-p", "a=0", "-p", "b=x"],   # every value is read before any range
    ["verify", "handshakes", "-p", "a=1", "-p", "b=1"],   # a constraint: the engine says so
    ["show", "handshakes", "--answer", "-p", "b=-1"],
    ["check", "handshakes", "mean=1", "-p", "a=0"],
    ["check", "handshakes", "mean=2*a*"],
    ["check", "handshakes", "mean=2*a*b/(a+b-"],
    ["check", "handshakes", "mean=2*a*b/(a+b-1)", "pmf=2*x/"],
    ["check", "handshakes", "mean=2*a*b/(a+b-1) +"],
    ["check", "handshakes", "mean=2*a*b/(a+b-1)", "variance=(a+b)^2 a/"],
    ["check", "handshakes", "mean=2*c*"],                 # an unknown name first: the engine
    ["check", "handshakes", "foo=2*a*"],
    ["check", "handshakes", "mean=1/(a-a) +"],            # a division by zero first: the engine
])
def test_cheap_errors_are_the_engines_errors(tmp_path, env, args):
    """The message from the index (and the claims' precheck) is the engine's own, word for
    word: the same command with the index's checks taken away gives the same line."""
    cli_modules(tmp_path, env, "list")
    code, out, err, modules = cli_modules(tmp_path, env, *args)
    probe = PROBE.replace("from puzzles.cli.main import main", textwrap.dedent("""
        from puzzles.engine import claim_text, index
        index.Entry.check_parameter_values = lambda self, given: self.check_parameter_names(given)
        claim_text.precheck_claims = lambda *a, **k: False
        from puzzles.cli.main import main"""))
    dump = tmp_path / "engine.json"
    full = subprocess.run([sys.executable, "-c", probe, str(dump), *args], env=env,
                          capture_output=True, text=True, timeout=300)
    assert code == full.returncode == 2, (err, full.stderr)
    assert err == full.stderr and err.startswith("error: "), (err, full.stderr)
    assert "sympy" in json.loads(dump.read_text())  # the engine's path did parse for real


def test_cheap_parameter_checks_agree_with_resolve(cache):
    """Every built-in, hostile values for each parameter (and for two at once): when the
    index refuses a value, Puzzle.resolve refuses it with the same message; when the index
    says the values are fine, resolve accepts them."""
    from puzzles.engine.errors import InvalidParameter
    from puzzles.engine.registry import registry

    reg = registry()
    index = idx.build_index([])
    values = ["0", "-1", "1", "2", "3", "7", "1000", "x", "", "1.5", "0.5", "1/2", "-1/3",
              "1e999", "1e3", "2.5e1", "3/1", "1/0", "0.999", "1e-3", "-0", "  4 ", "+2",
              "9" * 101, "1" + "0" * 30, "5/4", "10/3"]
    decided = refused = 0
    for name, puzzle in reg.puzzles.items():
        entry = index.puzzles[name]
        names = [p.name for p in puzzle.parameters]
        cases = [{n: v} for n in names for v in values]
        if len(names) > 1:
            cases += [{names[0]: v, names[1]: w} for v in values[::3] for w in values[1::4]]
        for given in cases:
            try:
                cheap = entry.check_parameter_values(given)
                cheap_error = None
            except InvalidParameter as exc:
                cheap, cheap_error = None, str(exc)
            try:
                puzzle.resolve(given)
                full_error = None
            except InvalidParameter as exc:
                full_error = str(exc)
            if cheap_error is not None:
                refused += 1
                assert cheap_error == full_error, (name, given)
            elif cheap:
                decided += 1
                assert full_error is None, (name, given, full_error)
    assert refused > 500 and decided > 100, (refused, decided)


def test_claim_precheck_agrees_with_the_parser():
    """Random formulas in the precheck's alphabet (and a few more symbols): whenever the
    precheck refuses a claim, the full parser refuses it with the same message; whenever it
    reads every claim, so does the full parser."""
    import random

    from puzzles.engine.claim_text import precheck_claims
    from puzzles.engine.errors import InvalidClaim
    from puzzles.engine.judge import parse_claims
    from puzzles.engine.registry import get_puzzle

    rng = random.Random(19)
    # (no big exponents: the parser itself takes minutes over (a/1.5)^(1e3^3), see the report)
    atoms = ["a", "b", "x", "2", "0", "1.5", "12", "c", "pi", "(", ")", "+", "-", "*", "/",
             "^", "**", " ", "!", ",", "[", "=", "a b", "2a", "$"]

    def formula(names, depth=0):
        """A formula in the precheck's alphabet, mostly well formed."""
        r = rng.random()
        if depth > 3 or r < 0.3:
            return rng.choice(names + ["2", "0", "1", "3/4", "1.5", "1e3"])
        if r < 0.4:
            return f"({formula(names, depth + 1)})"
        if r < 0.5:
            return "-" + formula(names, depth + 1)
        op = rng.choice(["+", "-", "*", "/", "^", " ", "**"])
        right = rng.choice(["2", "3", "-1", "(1/2)", "0", "(10^6)", "1000000"]) if op in ("^", "**") else \
            formula(names, depth + 1)
        return formula(names, depth + 1) + op + right

    def text(names):
        if rng.random() < 0.4:
            return "".join(rng.choice(atoms) for _ in range(rng.randint(1, 9)))
        t = formula(names)
        if rng.random() < 0.4:  # spoil it: cut it short, or add a stray symbol
            t = t[: rng.randint(0, len(t))] if rng.random() < 0.5 else t + rng.choice(atoms)
        return t

    outcomes = {"refused": 0, "read": 0, "unsure": 0}
    for name in ("handshakes", "birthday", "coupon-collector"):
        puzzle = get_puzzle(name)
        quantities = [(q.name, q.variable.name if q.variable is not None else "")
                      for q in puzzle.quantities]
        params = [p.name for p in puzzle.parameters]
        lefts = [q for q, _ in quantities] + ["foo", "E[X]", "sd"]
        names = params + [v for _, v in quantities if v]
        for _ in range(700):
            claims = [f"{rng.choice(lefts)}={text(names)}" for _ in range(rng.randint(1, 2))]
            try:
                read = precheck_claims(claims, puzzle.name, quantities, params, puzzle.outcomes)
                cheap_error = None
            except InvalidClaim as exc:
                read, cheap_error = None, str(exc)
            try:
                parse_claims(puzzle, claims)
                full_error = None
            except InvalidClaim as exc:
                full_error = str(exc)
            if cheap_error is not None:
                outcomes["refused"] += 1
                assert cheap_error == full_error, claims
            elif read:
                outcomes["read"] += 1
                assert full_error is None, (claims, full_error)
            else:
                outcomes["unsure"] += 1
    assert outcomes["refused"] > 300 and outcomes["read"] > 100, outcomes


def test_verify_loads_only_the_puzzle_it_runs(tmp_path, env):
    cli_modules(tmp_path, env, "list")
    code, out, err, modules = cli_modules(tmp_path, env, "verify", "handshakes", "-n", "65536",
                                          "--rtol", "0.5")
    assert code in (0, 3), err
    # shared helpers (puzzles.catalog._draws, _bits, ...) are not puzzles
    catalog = [m for m in modules if m.startswith("puzzles.catalog.") and not m.startswith("puzzles.catalog._")]
    assert catalog == ["puzzles.catalog.handshakes"]


# --------------------------------------------------------------------------- the index


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PUZZLES_CACHE_DIR", str(tmp_path / "cache"))
    idx.clear_memory()
    yield tmp_path / "cache"
    idx.clear_memory()


def dice(name, title="Two fair dice"):
    return render_puzzle(name).replace('title="', f'title="{title} -- ', 1) if title else render_puzzle(name)


def fresh_index(folder):
    """The index as a new process would see it: nothing of this process's memory."""
    idx.clear_memory()
    return idx.build_index([str(folder)])


def test_an_edited_file_is_read_again(cache, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    path = folder / "dice_sum.py"
    path.write_text(dice("dice-sum", "First"))
    assert fresh_index(folder).puzzles["dice-sum"].title.startswith("First -- ")
    assert (cache / idx.CACHE_FILE).exists()
    path.write_text(dice("dice-sum", "Second, a longer title"))
    assert fresh_index(folder).puzzles["dice-sum"].title.startswith("Second, a longer title -- ")
    (folder / "more_dice.py").write_text(dice("more-dice"))  # a new file is picked up
    assert {"dice-sum", "more-dice"} <= set(fresh_index(folder).puzzles)
    path.unlink()  # and a removed one is gone
    assert "dice-sum" not in fresh_index(folder).puzzles


def test_cache_hits_do_not_import(cache, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "dice_sum.py").write_text(dice("dice-sum"))
    fresh_index(folder)
    loads = []
    monkeypatch.setattr(idx, "_load", lambda src: loads.append(src) or (None, "x", False))
    assert "dice-sum" in fresh_index(folder).puzzles and loads == []


def test_broken_files_and_duplicates_are_still_reported(cache, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "syntax_slip.py").write_text("PUZZLE = (\n")
    (folder / "needs_module.py").write_text("import no_such_module_for_puzzles_index\n"
                                           + render_puzzle("needs-module"))
    (folder / "twin.py").write_text(render_puzzle("handshakes"))  # a built-in's name
    for _ in range(2):  # from the imports, then from the cache
        index = fresh_index(folder)
        reasons = {os.path.basename(b.source): b for b in index.broken}
        assert "SyntaxError" in reasons["syntax_slip.py"].reason
        assert "no_such_module_for_puzzles_index" in reasons["needs_module.py"].reason
        assert reasons["twin.py"].clashes_with.endswith("handshakes.py")
        with pytest.raises(idx.InvalidPuzzleSpec, match="defined twice"):
            index.lookup("handshakes")
        with pytest.raises(idx.InvalidPuzzleSpec, match="cannot be loaded"):
            index.lookup("syntax-slip")
    # a failed import is not cached: once the module exists, the file loads
    (folder / "no_such_module_for_puzzles_index.py").write_text("")
    sys.path.insert(0, str(folder))
    try:
        index = fresh_index(folder)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("no_such_module_for_puzzles_index", None)
    assert not any(b.source.endswith("needs_module.py") for b in index.broken)


def test_a_new_or_broken_builtin_is_seen(cache, tmp_path, monkeypatch):
    """Built-ins are listed from the package's folder on every run: a module added to (or
    broken in) the catalog shows up without anyone clearing a cache."""
    package = tmp_path / "site" / "fake_catalog_for_index"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "one_die.py").write_text(dice("one-die"))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(idx, "BUILTIN_PACKAGE", "fake_catalog_for_index")
    assert list(fresh_index(tmp_path / "nowhere").puzzles) == ["one-die"]
    (package / "two_dice.py").write_text(dice("two-dice"))
    (package / "bad_die.py").write_text("def (:\n")
    index = fresh_index(tmp_path / "nowhere")
    assert list(index.puzzles) == ["one-die", "two-dice"]
    assert [os.path.basename(b.source) for b in index.broken if b.reason.startswith("SyntaxError")] == ["bad_die.py"]


@pytest.mark.parametrize("damage", ["corrupt", "not a folder", "wrong shape"])
def test_a_damaged_or_unwritable_cache_only_costs_imports(cache, tmp_path, damage):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "dice_sum.py").write_text(dice("dice-sum"))
    if damage == "not a folder":
        cache.write_text("a file where the cache folder should be")
    else:
        cache.mkdir()
        (cache / idx.CACHE_FILE).write_text(
            "{not json" if damage == "corrupt" else json.dumps({"entries": {"x": 1, "y": []}}))
    for _ in range(2):
        assert "dice-sum" in fresh_index(folder).puzzles
    if damage != "not a folder":
        # it was rewritten whole, and entries of other shapes were not trusted
        data = json.loads((cache / idx.CACHE_FILE).read_text())
        assert any(isinstance(v, dict) and v.get("entry") for v in data["entries"].values())


def test_damaged_entries_are_not_trusted(cache, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "dice_sum.py").write_text(dice("dice-sum"))
    fresh_index(folder)
    data = json.loads((cache / idx.CACHE_FILE).read_text())
    for value in data["entries"].values():
        if value.get("entry", {}) and value["entry"].get("name") == "dice-sum":
            del value["entry"]["show"]
    (cache / idx.CACHE_FILE).write_text(json.dumps(data))
    assert "Two fair dice" in fresh_index(folder).puzzles["dice-sum"].show


def test_concurrent_writers_leave_a_whole_cache(tmp_path, env):
    """Several commands filling the same cache at once: each works, and the file stays JSON."""
    procs = []
    for i in range(4):
        folder = tmp_path / f"f{i}"
        folder.mkdir()
        (folder / f"dice_{i}.py").write_text(render_puzzle(f"dice-{chr(97 + i)}"))
        e = dict(env, PUZZLES_PATH=str(folder))
        procs.append((i, subprocess.Popen([sys.executable, "-m", "puzzles.cli", "list"], env=e,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True)))
    for i, p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert f"dice-{chr(97 + i)}" in out
    data = json.loads((tmp_path / "cache" / idx.CACHE_FILE).read_text())
    assert data["entries"]
    assert not [n for n in os.listdir(tmp_path / "cache") if n.endswith(".tmp")]


# --------------------------------------------------------------------------- --plot


def test_a_picture_is_drawn_once(tmp_path, monkeypatch):
    """A layout engine that measures labels draws the whole figure twice (constrained layout
    did: a third of a picture's cost); the panels' margins are fixed instead."""
    from matplotlib.figure import Figure

    from puzzles import verify

    report = verify("handshakes", trials=2 * 65536, rtol=0.5, threads=1)
    draws = []
    original = Figure.draw

    def counting(self, renderer):
        draws.append(self)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting)
    report.plot(tmp_path / "h.png")
    assert len(draws) == 1
    assert draws[0].get_layout_engine() is None
    # and every panel lies inside the picture, below the header
    for ax in draws[0].axes:
        box = ax.get_position()
        assert 0 < box.x0 < box.x1 < 1 and 0 < box.y0 < box.y1 < 1


def test_a_picture_does_not_import_scipy_stats(tmp_path, env):
    """scipy.stats costs seconds to import on a busy machine; a band's z comes from
    scipy.special (as in engine/stats.py)."""
    code, out, err, modules = cli_modules(tmp_path, env, "verify", "handshakes", "-n", "131072",
                                          "--rtol", "0.5", "--plot", str(tmp_path / "h.png"))
    assert code in (0, 3), err
    assert (tmp_path / "h.png").stat().st_size > 10_000
    assert "matplotlib" in modules and "scipy.stats" not in modules


def test_entries_of_older_engines_do_not_pile_up(cache, tmp_path):
    # Every change of the engine (an upgrade) files the built-ins again under new keys. The old
    # entries are never read again; kept up to MAX_CACHED (4,000, 2.8 MB) they made every
    # command read a file of megabytes and every miss write one.
    import json

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "dice_sum.py").write_text(dice("dice-sum"))
    fresh_index(folder)  # the built-ins and the file, filed under this engine
    path = cache / idx.CACHE_FILE
    current = json.loads(path.read_text())["entries"]
    stale = {f"{k:040x}": {"entry": None, "reason": "old", "stable": True} for k in range(3000)}
    path.write_text(json.dumps({"entries": {**stale, **current}}))
    (folder / "more_dice.py").write_text(dice("more-dice"))  # a miss: the file is written
    assert "more-dice" in fresh_index(folder).puzzles
    entries = json.loads(path.read_text())["entries"]
    assert set(current) <= set(entries)  # this engine's entries stay
    assert len(entries) <= len(current) + 1 + idx.OTHER_ENTRIES_KEPT
    assert "dice-sum" in fresh_index(folder).puzzles
