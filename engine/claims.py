"""Reading a user's claim: a whitelist grammar of maths as people write it, built into sympy.

The text is read by the small recursive-descent parser below -- plain maths (`2ab/(a+b-1)`,
`n!`, `C(n, k)`, `X^2`, unicode `· × − ² π √ ≤`) and LaTeX as typed in notes (`\\frac{2ab}{a+b-1}`,
`\\binom{n}{k}`, `\\sum_{k=1}^{n} \\frac{1}{k}`, `\\sqrt{}`, `\\cdot`, `e^{-x}`, `\\left( \\right)`) --
and each node is built into sympy from an allow-list: numbers (decimals exactly: `0.1` is 1/10),
the puzzle's names, + - * / ^, a fixed set of functions, sums and products over a fresh index.
Nothing the user wrote is ever evaluated: no `eval`, no `sympify` or `parse_expr` of the text.

(sympy's own LaTeX parser, `parse_latex(s, backend="lark")`, was tried and not used: it fails on
`\\pi`, on `\\binom{n}{k}p^k` and on `{n \\choose k}`, returns ambiguous trees for `\\sum_{k=1}^{n}
\\frac{1}{k} + 1` and `a(b+1)`, reads `\\frac{n}{2}\\left(n+1\\right)` as a comparison, and with
sympy's default evaluation builds `9^{9^{9^{9}}}` by computing it.)

Every number the parser builds is bounded (`Limits`): `factorial(10**9)`, `9^9^9^9`,
`binomial(10**10, 5*10**9)` and `sum(k, k, 1, 10**12)` are refused with the limit they break;
the same guards evaluate a claim at a parameter point (`bounded_value`).

A claim is `LEFT = RIGHT`: the left side a quantity the puzzle declares (`mean`, `variance`,
`probability`, `pmf`, `cdf`) or a statistic of the outcome -- `E[f(X)]`, `E[f(X) | event]`,
`Var[X]`, `SD[X]`, `P(event)`, `P(event | event)`, `median`, `quantile(q)` -- and the right side
a formula in the parameters (and in the free variable of a law, `P(X = k) = ...`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Iterable

import sympy

from .claim_text import (MAX_DEPTH, MAX_LENGTH, MAX_NODES, STATISTICS, _WORDS,  # noqa: F401
                         _LATEX_SPACES, _SUPERSCRIPTS, _TOKEN, _UNICODE, Token, _check_text,
                         TokenCursor, _clip, _normalise, parse_error, split_claim,
                         tokenize)
from .errors import InvalidClaim, did_you_mean, quote


# --------------------------------------------------------------------------- size limits


class TooBig(InvalidClaim):
    """A number the claim asks for is past a limit (the message names it)."""


@dataclass(frozen=True)
class Limits:
    bits: int = 1 << 17            # an exact integer or rational part: at most 131,072 bits
    factorial: int = 20_000        # n! and gamma(n) with integer n
    terms: int = 2_000             # terms of a sum or product added up one by one
    stirling: int = 1_000          # Stirling numbers c(n, k) of the first kind up to this n
    harmonic: int = 2_000


LIMITS = Limits()


def _bits(v) -> int:
    if isinstance(v, sympy.Rational):
        return max(int(v.p).bit_length(), int(v.q).bit_length())
    return 0


def _log2_binomial(n: int, k: int) -> float:
    k = min(k, n - k)
    if k <= 0:
        return 0.0
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(2)


def _numbers_in_power(base) -> float:
    """Bits per unit of exponent of the numbers that a power of `base` multiplies out: sympy
    computes (2a/3)^n as 2^n 3^-n a^n and (sqrt(2) a)^n as 2^(n/2) a^n, so a product's rational
    coefficient and its powers of numbers count, besides a plain number."""
    factors = base.args if isinstance(base, sympy.Mul) else (base,)
    bits = 0.0
    for f in factors:
        if isinstance(f, sympy.Rational) and f not in (0, 1, -1):
            bits += _bits(f)
        elif isinstance(f, sympy.Pow) and isinstance(f.base, sympy.Rational) \
                and isinstance(f.exp, sympy.Rational) and f.base not in (0, 1, -1):
            bits += _bits(f.base) * max(abs(float(f.exp)), 1.0)
    return bits


def _guard_pow(base, exp, limits: Limits = LIMITS):
    if isinstance(exp, sympy.Rational) and isinstance(base, sympy.Rational) and base not in (0, 1, -1):
        size = _bits(base) * abs(float(exp))
        if exp.q != 1:
            size = _bits(base) * abs(float(exp.p))  # b^(p/q) = (b^p)^(1/q)
        if size > limits.bits:
            raise TooBig(f"{_short(base)}^{_short(exp)} is too big to compute exactly "
                         f"(about {size:.3g} bits; the limit is {limits.bits:,} bits)")
    elif isinstance(exp, sympy.Rational) and isinstance(base, (sympy.Mul, sympy.Pow)):
        size = _numbers_in_power(base) * abs(float(exp.p))
        if size > limits.bits:
            raise TooBig(f"({_short(base)})^{_short(exp)} is too big to compute exactly "
                         f"(about {size:.3g} bits; the limit is {limits.bits:,} bits)")
    if isinstance(base, sympy.Integer) and isinstance(exp, sympy.Pow):
        # a tower 9^9^9^9: the exponent itself was refused or is within bounds; nothing more
        pass


def _integer_arg(v):
    return int(v) if isinstance(v, sympy.Integer) else None


def _guard_call(name: str, args, limits: Limits = LIMITS):
    """Refuse a function call on numbers whose exact value would be too big to compute."""
    ints = [_integer_arg(a) for a in args]
    n = ints[0] if ints else None
    if name in ("factorial", "gamma", "subfactorial", "factorial2", "catalan", "bernoulli",
                "fibonacci") and n is not None and n > limits.factorial:
        raise TooBig(f"{name}({_short(args[0])}) is too big to compute exactly "
                     f"(the limit is {name}({limits.factorial:,}))")
    if name == "harmonic" and n is not None and n > limits.harmonic:
        raise TooBig(f"harmonic({_short(args[0])}) is too big to compute exactly "
                     f"(the limit is harmonic({limits.harmonic:,}))")
    if name == "binomial" and len(ints) == 2 and None not in ints and ints[0] >= 0:
        size = _log2_binomial(ints[0], max(0, min(ints[1], ints[0])))
        if size > limits.bits:
            raise TooBig(f"binomial({_short(args[0])}, {_short(args[1])}) is too big to compute "
                         f"exactly (about {size:.3g} bits; the limit is {limits.bits:,} bits)")
    if name in ("ff", "rf") and len(ints) == 2 and None not in ints:
        base, count = abs(ints[0]) + abs(ints[1]), abs(ints[1])
        size = count * math.log2(max(base, 2))
        if size > limits.bits:
            raise TooBig(f"{name}({_short(args[0])}, {_short(args[1])}) is too big to compute "
                         f"exactly (about {size:.3g} bits; the limit is {limits.bits:,} bits)")
    if name == "stirling2" and len(ints) == 2 and None not in ints and n > 0:
        size = n * math.log2(max(2, abs(ints[1]) + 1))
        if size > limits.bits:
            raise TooBig(f"stirling({_short(args[0])}, {_short(args[1])}) is too big to compute "
                         f"exactly (about {size:.3g} bits; the limit is {limits.bits:,} bits)")
    elif name in ("stirling", "stirling1") and n is not None and n > limits.stirling:
        raise TooBig(f"{name}({_short(args[0])}, ...) is too big to compute exactly "
                     f"(the limit is n = {limits.stirling:,})")


def _guard_result(value, what: str = "a number", limits: Limits = LIMITS):
    if isinstance(value, sympy.Rational) and _bits(value) > 4 * limits.bits:
        raise TooBig(f"{what} is too big to compute exactly ({_bits(value):,} bits; "
                     f"the limit is {4 * limits.bits:,} bits)")
    return value


def _short(v) -> str:
    if isinstance(v, sympy.Integer) and abs(int(v)).bit_length() > 60:
        return f"~2^{abs(int(v)).bit_length()}"
    text = str(v)
    return text if len(text) <= 30 else text[:27] + "..."


# --------------------------------------------------------------------------- functions


def _stirling2(m: int, k: int) -> int:
    """S(m, k) by inclusion-exclusion over the k types: Python integers, k + 1 terms."""
    if k > m:
        return int(m == k)
    return sum((-1) ** (k - j) * math.comb(k, j) * j ** m for j in range(k + 1)) // math.factorial(k)


@lru_cache(maxsize=64)
def _stirling1_row(m: int) -> tuple:
    """Unsigned c(m, k) for k = 0..m: the coefficients of x (x + 1) ... (x + m - 1)."""
    row = [1]
    for i in range(m):
        nxt = [0] * (len(row) + 1)
        for k, c in enumerate(row):
            nxt[k + 1] += c
            nxt[k] += c * i
        row = nxt
    return tuple(row)


class StirlingS2(sympy.Function):
    """S(n, k), Stirling numbers of the second kind: ways to split n labelled items into k
    non-empty unlabelled blocks; unevaluated until n and k are integers."""

    @classmethod
    def eval(cls, m, k):
        if m.is_Integer and k.is_Integer:
            _guard_call("stirling2", [m, k])
            if m < 0 or k < 0:
                return sympy.Integer(0)
            return sympy.Integer(_stirling2(int(m), int(k)))


class StirlingS1(sympy.Function):
    """c(n, k), unsigned Stirling numbers of the first kind: permutations of n items with k
    cycles; unevaluated until n and k are integers."""

    @classmethod
    def eval(cls, m, k):
        if m.is_Integer and k.is_Integer:
            _guard_call("stirling1", [m, k])
            if m < 0 or k < 0 or k > m:
                return sympy.Integer(0)
            return sympy.Integer(_stirling1_row(int(m))[int(k)])


FUNCTIONS = {
    "sqrt": sympy.sqrt, "exp": sympy.exp, "log": sympy.log, "ln": sympy.log,
    "factorial": sympy.factorial, "binomial": sympy.binomial, "comb": sympy.binomial,
    "choose": sympy.binomial, "binom": sympy.binomial, "C": sympy.binomial, "nCr": sympy.binomial,
    "gamma": sympy.gamma, "Gamma": sympy.gamma, "beta": sympy.beta, "B": sympy.beta,
    "harmonic": sympy.harmonic, "H": sympy.harmonic, "floor": sympy.floor,
    "ceiling": sympy.ceiling, "ceil": sympy.ceiling, "abs": sympy.Abs, "Abs": sympy.Abs,
    "min": sympy.Min, "Min": sympy.Min, "max": sympy.Max, "Max": sympy.Max,
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "asin": sympy.asin, "acos": sympy.acos,
    "atan": sympy.atan, "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "erf": sympy.erf,
    "erfc": sympy.erfc, "Rational": sympy.Rational,
    "ff": sympy.ff, "FallingFactorial": sympy.ff, "rf": sympy.rf, "RisingFactorial": sympy.rf,
    "subfactorial": sympy.subfactorial, "factorial2": sympy.factorial2, "sign": sympy.sign,
    "Heaviside": sympy.Heaviside, "catalan": sympy.catalan, "fibonacci": sympy.fibonacci,
    "bernoulli": sympy.bernoulli, "betainc_regularized": sympy.betainc_regularized,
    "betainc": sympy.betainc, "lowergamma": sympy.lowergamma, "uppergamma": sympy.uppergamma,
    "stirling": StirlingS2, "stirling2": StirlingS2, "S2": StirlingS2, "StirlingS2": StirlingS2,
    "stirling1": StirlingS1, "S1": StirlingS1, "StirlingS1": StirlingS1,
    # conditions, so that a closed form's own printed text (Piecewise((f, Eq(Mod(x, 2), 0)),
    # (0, True))) reads back in
    "Piecewise": sympy.Piecewise, "Eq": sympy.Eq, "Ne": sympy.Ne, "Mod": sympy.Mod,
    "And": sympy.And, "Or": sympy.Or, "Not": sympy.Not, "KroneckerDelta": sympy.KroneckerDelta,
}
_CANONICAL = {"comb": "binomial", "choose": "binomial", "binom": "binomial", "C": "binomial",
              "nCr": "binomial", "Gamma": "gamma", "stirling": "stirling2", "S2": "stirling2",
              "StirlingS2": "stirling2", "S1": "stirling1", "StirlingS1": "stirling1",
              "H": "harmonic", "FallingFactorial": "ff", "RisingFactorial": "rf"}
# sum(term, k, low, high) and prod(...): k is a bound name, free inside the term only
BINDERS = {"sum": sympy.Sum, "Sum": sympy.Sum, "summation": sympy.Sum,
           "prod": sympy.Product, "product": sympy.Product, "Product": sympy.Product}
CONSTANTS = {"pi": sympy.pi, "E": sympy.E, "e": sympy.E, "oo": sympy.oo, "inf": sympy.oo,
             "infinity": sympy.oo, "True": sympy.true, "False": sympy.false}

# LaTeX commands
_LATEX_FUNCTIONS = {"sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "ln", "arcsin",
                    "arccos", "arctan", "max", "min", "gcd"}
_LATEX_SYMBOLS = {"pi": "pi", "infty": "oo", "e": "e"}
_LATEX_OPS = {"cdot": "*", "times": "*", "div": "/", "le": "<=", "leq": "<=", "leqslant": "<=",
              "ge": ">=", "geq": ">=", "geqslant": ">=", "ne": "!=", "neq": "!=", "lt": "<",
              "gt": ">", "land": "and", "wedge": "and", "lor": "or", "vee": "or", "lnot": "not",
              "neg": "not", "mid": "|", "vert": "|", "lvert": "|", "rvert": "|",
              "lfloor": "lfloor", "rfloor": "rfloor", "lceil": "lceil", "rceil": "rceil",
              "lbrace": "{", "rbrace": "}"}



def allowed_names_text(names: Iterable[str]) -> str:
    names = sorted(names)
    # the names in scope, and a few functions: the README lists them all
    return ((", ".join(names) if names else "none") + "; constants pi, e; functions such as "
            "sqrt, exp, log, factorial, binomial, sum")


# --------------------------------------------------------------------------- statistics


@dataclass
class Statistic:
    """A statistic of the outcome: kind E, P, Var, SD, median or quantile.

    body: the function of the outcome (E, Var, SD) or the event (P); given: the conditioning
    event or None; level: q for a quantile (1/2 for the median); outcome: the outcome symbol."""

    kind: str
    body: object = None
    given: object = None
    level: object = None
    outcome: sympy.Symbol | None = None
    text: str = ""

    def free_symbols(self) -> set:
        out = set()
        for part in (self.body, self.given, self.level):
            if isinstance(part, sympy.Basic):
                out |= part.free_symbols
        return out

    def label(self) -> str:
        if self.kind in ("E", "Var", "SD"):
            inner = sympy.sstr(self.body).replace("**", "^")
            if self.given is not None:
                inner += " | " + _show_event(self.given)
            return f"{self.kind}[{inner}]"
        if self.kind == "P":
            inner = _show_event(self.body)
            if self.given is not None:
                inner += " | " + _show_event(self.given)
            return f"P({inner})"
        if self.kind == "median":
            return "median"
        return f"quantile({sympy.sstr(self.level)})"


def _show_event(e) -> str:
    """An event as people write it: X = 0, X >= 3 and X < 5, not (X = 1)."""
    if isinstance(e, sympy.Eq):
        return f"{_sstr(e.lhs)} = {_sstr(e.rhs)}"
    if isinstance(e, sympy.Ne):
        return f"{_sstr(e.lhs)} != {_sstr(e.rhs)}"
    if isinstance(e, (sympy.And, sympy.Or)):
        word = " and " if isinstance(e, sympy.And) else " or "
        parts = [_show_event(a) for a in e.args]
        return word.join(f"({p})" if isinstance(a, (sympy.And, sympy.Or)) else p
                         for a, p in zip(e.args, parts))
    if isinstance(e, sympy.Not):
        return f"not ({_show_event(e.args[0])})"
    return _sstr(e)


def _sstr(e) -> str:
    return sympy.sstr(e).replace("**", "^")


# --------------------------------------------------------------------------- the parser


@dataclass
class Names:
    """What a name may mean: parameters, outcomes, and (on the left of a law claim) free
    variables, which the parser collects."""

    symbols: dict                       # name -> sympy Symbol (parameters, variables)
    outcomes: dict = field(default_factory=dict)   # name -> Symbol of an outcome
    functions: dict = field(default_factory=dict)  # trusted extra functions (a puzzle's own)
    allow_statistics: bool = False
    allow_free: bool = False            # unknown single names become free variables
    free: dict = field(default_factory=dict)
    limits: Limits = LIMITS


class _Parser(TokenCursor):
    def __init__(self, text: str, names: Names):
        super().__init__(text)
        self.names = names
        self.context: list[str] = []       # 'abs' / 'stat' / 'paren' stack, for '|'
        self.bound: dict[str, sympy.Symbol] = {}
        self.notes: list[str] = []

    # -- token helpers (tok and take: TokenCursor) ----------------------------------------
    def peek(self, k=1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def at(self, *texts) -> bool:
        t = self.tok
        return t.kind in ("op", "name", "cmd") and self._op_text(t) in texts

    def _op_text(self, t: Token) -> str:
        if t.kind == "cmd":
            return _LATEX_OPS.get(t.text[1:], t.text)
        if t.kind == "name" and t.text in _WORDS:
            return _WORDS[t.text]
        if t.kind == "op":
            return {"&&": "and", "&": "and", "||": "or", "~": "not", "**": "^", "<>": "!="}.get(t.text, t.text)
        return t.text

    def expect(self, *texts) -> Token:
        if not self.at(*texts):
            self.fail(f"expected {' or '.join(repr(t) for t in texts)}")
        return self.take()

    def fail(self, message: str, token: Token | None = None):
        raise parse_error(message, token or self.tok, self.text)

    # -- entry points --------------------------------------------------------------------
    def parse(self):
        value = self.or_expr()
        if self.tok.kind != "end":
            if self.at(")", "]", "}"):
                self.fail("unbalanced brackets: a closing bracket has no opening one")
            self.fail("unexpected symbol")
        return value

    # -- grammar -------------------------------------------------------------------------
    def or_expr(self):
        left = self.and_expr()
        while self.at("or"):
            self.take()
            left = sympy.Or(self._boolean(left), self._boolean(self.and_expr()))
        return left

    def and_expr(self):
        left = self.not_expr()
        while self.at("and"):
            self.take()
            left = sympy.And(self._boolean(left), self._boolean(self.not_expr()))
        return left

    def not_expr(self):
        if self.at("not"):
            self.take()
            return sympy.Not(self._boolean(self.not_expr()))
        return self.comparison()

    def comparison(self):
        left = self.sum_expr()
        ops = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge, "=": sympy.Eq,
               "==": sympy.Eq, "!=": sympy.Ne}
        parts = []
        while self.tok.kind in ("op", "cmd") and self._op_text(self.tok) in ops:
            op = self._op_text(self.take())
            right = self.sum_expr()
            parts.append(ops[op](self._value(left), self._value(right), evaluate=False))
            left = right
        if not parts:
            return left
        return parts[0] if len(parts) == 1 else sympy.And(*parts)

    def sum_expr(self):
        left = self.term()
        while self.at("+", "-"):
            op = self.take().text
            right = self.term()
            left = self._arith(left, right, "+" if op == "+" else "-")
        return left

    def _starts_atom(self) -> bool:
        t = self.tok
        if t.kind in ("num", "name"):
            return t.text not in _WORDS
        if t.kind == "op":
            return t.text in ("(", "[", "{", "√")
        if t.kind == "cmd":
            cmd = t.text[1:]
            return cmd not in _LATEX_OPS and cmd not in ("choose", "over")
        return False

    def term(self):
        left = self.unary()
        while True:
            if self.at("*", "/"):
                op = self._op_text(self.take())
                right = self.unary()
                if op == "/" and self._starts_atom() and self.tok.kind != "cmd":
                    self.fail("ambiguous: is it a/(b c) or (a/b) c? add brackets")
                left = self._arith(left, right, op)
            elif self._starts_atom():
                left = self._arith(left, self.unary(), "*")
            else:
                return left

    def unary(self):
        if self.at("-"):
            self.take()
            return self._arith(sympy.Integer(0), self.unary(), "-")
        if self.at("+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self):
        base = self.postfix()
        if self.at("^"):
            self.take()
            exp = self.exponent()
            return self._arith(base, exp, "^")
        return base

    def exponent(self):
        if self.at("-"):
            self.take()
            return self._arith(sympy.Integer(0), self.exponent(), "-")
        if self.at("{"):
            return self.group("{", "}")
        return self.power()

    def postfix(self):
        value = self.atom()
        while self.at("!") or (self.tok.kind == "op" and self.tok.text == "'"):
            t = self.take()
            if t.text == "'":
                self.fail("a prime (') is not allowed", t)
            value = self._call("factorial", [self._value(value)], t)
        return value

    def group(self, open_: str, close: str):
        self.expect(open_)
        if len(self.context) >= MAX_DEPTH:
            self.fail(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)")
        self.context.append("paren")
        value = self.or_expr()
        if self.tok.kind == "cmd" and self.tok.text[1:] in ("choose", "over") and open_ == "{":
            which = self.take()
            other = self.or_expr()
            value = (self._call("binomial", [value, other], which) if which.text.endswith("choose")
                     else self._arith(value, other, "/"))
        self.context.pop()
        if not self.at(close):
            if self.tok.kind == "end":
                self.fail(f"unbalanced brackets: a {open_!r} is never closed")
            self.fail(f"expected {close!r}")
        self.take()
        return value

    def atom(self):
        t = self.tok
        if t.kind == "num":
            self.take()
            return _number(t.text)
        if t.kind == "op" and t.text == "(":
            return self._paren_or_tuple()
        if t.kind == "op" and t.text in ("[", "{"):
            return self.group(t.text, "]" if t.text == "[" else "}")
        if t.kind == "op" and t.text == "√":
            self.take()
            arg = self.atom() if self.at("(") else self.postfix()
            return self._call("sqrt", [self._value(arg)], t)
        if t.kind == "op" and t.text == "|":
            self.take()
            self.context.append("abs")
            if len(self.context) > MAX_DEPTH:
                self.fail(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)")
            inner = self.or_expr()
            self.context.pop()
            self.expect("|")
            return self._call("Abs", [self._value(inner)], t)
        if t.kind == "cmd":
            return self.latex(t)
        if t.kind == "name":
            return self.name(t)
        if t.kind == "end":
            self.fail("the formula ends too early")
        if t.text in (")", "]", "}"):
            self.fail("unbalanced brackets: a closing bracket has no opening one")
        self.fail("unexpected symbol")

    def _paren_or_tuple(self):
        open_tok = self.take()
        if len(self.context) >= MAX_DEPTH:
            self.fail(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)", open_tok)
        self.context.append("paren")
        items = [self.or_expr()]
        while self.at(","):
            self.take()
            items.append(self.or_expr())
        self.context.pop()
        if not self.at(")"):
            if self.tok.kind == "end":
                self.fail("unbalanced brackets: a '(' is never closed", open_tok)
            self.fail("expected ')'")
        self.take()
        return items[0] if len(items) == 1 else tuple(items)

    def args(self, open_="(", close=")"):
        open_tok = self.expect(open_)
        if len(self.context) >= MAX_DEPTH:
            self.fail(f"the formula is nested too deeply (more than {MAX_DEPTH} levels)", open_tok)
        self.context.append("paren")
        items = []
        if not self.at(close):
            items.append(self.or_expr())
            while self.at(","):
                self.take()
                items.append(self.or_expr())
        self.context.pop()
        if not self.at(close):
            if self.tok.kind == "end":
                self.fail(f"unbalanced brackets: a {open_!r} is never closed", open_tok)
            self.fail(f"expected {close!r}")
        self.take()
        return items

    # -- names ---------------------------------------------------------------------------
    def name(self, t: Token):
        name = t.text
        nxt = self.peek()
        opens = nxt.kind == "op" and nxt.text in ("(", "[")
        if name in self.bound:
            self.take()
            return self.bound[name]
        if name in self.names.symbols:
            self.take()
            return self.names.symbols[name]
        if name in self.names.outcomes:
            self.take()
            return self.names.outcomes[name]
        if name in STATISTICS and (opens or STATISTICS[name] == "median"):
            if not self.names.allow_statistics:
                self.fail(f"{name}{'[...]' if nxt.text == '[' else '(...)' if opens else ''} "
                          "is a statistic of the outcome: it belongs on the left of '='")
            return self.statistic(self.take())
        if name == "H" and nxt.kind == "op" and nxt.text == "_" and "H" not in self.names.functions:
            self.take()
            self.take()
            arg = self.group("{", "}") if self.at("{") else self._single()
            return self._call("harmonic", [self._value(arg)], t)
        if "_" in name and name.startswith("H_") and name not in self.names.symbols:
            sub = name[2:]
            self.take()
            self.tokens.insert(self.i, Token("name", sub, t.col + 2))
            return self._call("harmonic", [self._value(self.atom())], t)
        if name in BINDERS and opens:
            self.take()
            return self.binder(name, t)
        if name in self.names.functions or name in FUNCTIONS:
            self.take()
            if not (self.tok.kind == "op" and self.tok.text == "("):
                if name in CONSTANTS:
                    return CONSTANTS[name]
                self.fail(f"{name} is a function: call it, as in {name}(...)", t)
            return self._call(name, self.args(), t)
        if name in CONSTANTS:
            self.take()
            return CONSTANTS[name]
        if name in BINDERS:
            self.fail(f"{name} is a function: write {name}(term, k, low, high)", t)
        # unknown: a product of known names written together (2ab), or a free variable
        split = self._split(name)
        if split:
            self.take()
            self.notes.append(f"read {name!r} as {'*'.join(split)}")
            value = sympy.Integer(1)
            for part in split:
                value = self._arith(value, self._known(part), "*")
            return value
        if self.names.allow_free and re.fullmatch(r"[A-Za-z]\w{0,3}", name) and not opens:
            self.take()
            if name not in self.names.free:
                if len(self.names.free) >= 1:
                    self.fail(f"{name!r} is not a parameter; a law may have one free variable "
                              f"({', '.join(self.names.free)} already is)", t)
                self.names.free[name] = sympy.Symbol(name, real=True)
            return self.names.free[name]
        if opens and t.text not in self.names.symbols:
            known = sorted(set(FUNCTIONS) | set(BINDERS) | set(self.names.functions))
            self.fail(f"unknown function {quote(name, 40)}"
                      f"{did_you_mean(name, known) or '; the README lists the functions'}", t)
        hint = self._hint(name)
        if not hint:  # a misspelt name: the closest of those in scope and the constants
            hint = did_you_mean(name, [*self._visible(), *sorted(CONSTANTS)])
        self.fail(f"unknown name {quote(name, 40)}{hint} (you may use: "
                  f"{allowed_names_text(self._visible())})", t)

    def _visible(self):
        out = [n for n in self.names.symbols if not n.startswith("_")]
        return out + list(self.names.outcomes) + list(self.bound)

    def _known(self, name):
        if name in self.bound:
            return self.bound[name]
        if name in self.names.symbols:
            return self.names.symbols[name]
        if name in self.names.outcomes:
            return self.names.outcomes[name]
        return CONSTANTS[name]

    def _split(self, name: str) -> list[str] | None:
        """`ab` -> ['a', 'b'] when the name splits one way only into known names."""
        known = set(self.bound) | set(self.names.symbols) | set(self.names.outcomes) | {"pi"}
        known = {k for k in known if not k.startswith("_")}
        ways: list[list[str]] = []

        def go(rest, acc):
            if len(ways) > 1:
                return
            if not rest:
                ways.append(acc)
                return
            for k in known:
                if rest.startswith(k):
                    go(rest[len(k):], acc + [k])

        if len(name) <= 12:
            go(name, [])
        return ways[0] if len(ways) == 1 and len(ways[0]) > 1 else None

    def _hint(self, name: str) -> str:
        known = set(self.bound) | set(self.names.symbols) | set(self.names.outcomes)
        letters = [c for c in name]
        if len(name) > 1 and all(c in known or c.isdigit() for c in letters):
            return f": did you mean {'*'.join(letters)}?"
        if 1 < len(name) <= 4:
            parts = [c for c in letters if c not in known and not c.isdigit()]
            if any(c in known for c in letters):
                return f" ({', '.join(repr(p) for p in dict.fromkeys(parts))} not a parameter)"
        return ""

    def statistic(self, t: Token):
        kind = STATISTICS[t.text]
        self.names.allow_statistics = False  # one statistic, not nested
        if kind == "median":
            level = sympy.Rational(1, 2)
            outcome = None
            if self.at("(", "["):
                close = ")" if self.tok.text == "(" else "]"
                self.take()
                outcome = self._outcome_of(self.or_expr(), t)
                self.expect(close)
            return Statistic("median", level=level, outcome=outcome)
        if kind == "quantile":
            items = self.args()
            outs = [a for a in items if isinstance(a, sympy.Basic) and a.free_symbols & set(self.names.outcomes.values())]
            levels = [a for a in items if a not in outs]
            if len(levels) != 1 or len(outs) > 1:
                self.fail("write quantile(q), or quantile(X, q), with 0 < q < 1", t)
            level = self._value(levels[0])
            if not (level.is_number and 0 < level < 1):
                self.fail("a quantile's level q must be a number with 0 < q < 1", t)
            return Statistic("quantile", level=level,
                             outcome=self._outcome_of(outs[0], t) if outs else None)
        open_tok = self.take()
        if open_tok.text not in ("(", "["):
            self.fail(f"write {t.text}[...] or {t.text}(...)", open_tok)
        close = ")" if open_tok.text == "(" else "]"
        self.context.append("stat")
        body = self.or_expr()
        given = None
        if self.at("|"):
            self.take()
            given = self._boolean(self.or_expr(), "the condition after '|'")
        self.context.pop()
        if not self.at(close):
            if self.tok.kind == "end":
                self.fail(f"unbalanced brackets: {t.text}{open_tok.text} is never closed", open_tok)
            self.fail(f"expected {close!r}")
        self.take()
        if kind == "P":
            if isinstance(body, sympy.Symbol) and body in self.names.outcomes.values():
                body = sympy.Eq(body, 1, evaluate=False)   # P(reached): the event reached = 1
            body = self._boolean(body, f"{t.text}(...)")
        else:
            body = self._value(body)
        if kind in ("Var", "SD") and given is not None:
            self.fail(f"a conditional {t.text} is not supported; use E[...|...]", t)
        return Statistic(kind, body=body, given=given)

    def _outcome_of(self, expr, t):
        if isinstance(expr, sympy.Symbol) and expr in self.names.outcomes.values():
            return expr
        self.fail("name the outcome, e.g. median(X)", t)

    def binder(self, name: str, t: Token):
        # sum(term, k, low, high) or Sum(term, (k, low, high)); the index is read before the term
        start = self.i
        self.expect("(")
        depth, j = 1, self.i
        commas = []
        while j < len(self.tokens) and depth:
            tok = self.tokens[j]
            if tok.kind == "op" and tok.text in "([{":
                depth += 1
            elif tok.kind == "op" and tok.text in ")]}":
                depth -= 1
            elif tok.kind == "op" and tok.text == "," and depth == 1:
                commas.append(j)
            j += 1
        index_tok = None
        if len(commas) == 3:
            index_tok = self.tokens[commas[0] + 1]
        elif len(commas) == 1 and self.tokens[commas[0] + 1].text == "(":
            index_tok = self.tokens[commas[0] + 2]
        if index_tok is None or index_tok.kind != "name":
            self.fail(f"write {name}(term, k, low, high): the term summed for k = low..high", t)
        index = self._fresh_index(index_tok)
        self.i = start
        items = self.args()
        self.bound.pop(index.name, None)
        if len(items) == 2 and isinstance(items[1], tuple) and len(items[1]) == 3:
            items = [items[0], *items[1]]
        if len(items) != 4 or items[1] != index:
            self.fail(f"write {name}(term, k, low, high): the term summed for k = low..high", t)
        return self._bind(BINDERS[name], self._value(items[0]), index,
                          self._value(items[2]), self._value(items[3]), t)

    def _fresh_index(self, tok: Token) -> sympy.Symbol:
        name = tok.text
        if name in self.names.symbols or name in self.names.outcomes or name in FUNCTIONS \
                or name in self.bound:
            self.fail(f"a sum needs a fresh index name, not {name!r}", tok)
        index = sympy.Symbol(name, integer=True)
        self.bound[name] = index
        return index

    def _bind(self, cls, term, index, low, high, t):
        if low.is_number and high.is_number and (high - low).is_number:
            count = high - low + 1
            if count.is_infinite:
                pass  # an infinite series: sympy may know it; evaluation is bounded later
            elif count.is_real and count > self.names.limits.terms:
                raise TooBig(f"{cls.__name__.lower()} over {_short(count)} terms is too many to add up "
                             f"(the limit is {self.names.limits.terms:,} terms)")
        return cls(term, (index, low, high))

    # -- LaTeX ---------------------------------------------------------------------------
    def latex(self, t: Token):
        cmd = t.text[1:]
        self.take()
        if cmd in ("frac", "dfrac", "tfrac", "cfrac"):
            num = self.group("{", "}") if self.at("{") else self._single()
            den = self.group("{", "}") if self.at("{") else self._single()
            return self._arith(num, den, "/")
        if cmd in ("binom", "dbinom", "tbinom"):
            n = self.group("{", "}") if self.at("{") else self._single()
            k = self.group("{", "}") if self.at("{") else self._single()
            return self._call("binomial", [n, k], t)
        if cmd == "sqrt":
            index = None
            if self.at("["):
                index = self.group("[", "]")
            arg = self.group("{", "}") if self.at("{") else self._single()
            return self._call("sqrt", [arg], t) if index is None else self._arith(
                arg, self._arith(sympy.Integer(1), index, "/"), "^")
        if cmd in _LATEX_SYMBOLS:
            return CONSTANTS[_LATEX_SYMBOLS[cmd]]
        if cmd in ("mathrm", "mathit", "text", "textrm", "operatorname", "mathbb", "mathsf",
                   "mathbf", "mathcal", "mathrm*", "operatorname*"):
            word = self._braced_word(t)
            fake = Token("name", word, t.col)
            if word == "e" and word not in self.names.symbols:
                return sympy.E
            return self._name_token(fake)
        if cmd in ("sum", "prod"):
            return self.latex_sum(t, sympy.Sum if cmd == "sum" else sympy.Product)
        if cmd in ("lfloor", "lceil"):
            inner = self.or_expr()
            self.expect("rfloor" if cmd == "lfloor" else "rceil")
            return self._call("floor" if cmd == "lfloor" else "ceiling", [inner], t)
        if cmd in ("Pr",):
            return self._name_token(Token("name", "P", t.col))
        if cmd in ("E",):
            return self._name_token(Token("name", "E", t.col))
        if cmd in ("Var", "var"):
            return self._name_token(Token("name", "Var", t.col))
        if cmd in _LATEX_FUNCTIONS:
            fname = {"gcd": "gcd"}.get(cmd, cmd)
            if self.at("("):
                return self._call(fname, self.args(), t)
            if self.at("{"):
                return self._call(fname, [self.group("{", "}")], t)
            return self._call(fname, [self.power()], t)
        if cmd in ("{", "}"):
            self.fail("literal braces are not allowed", t)
        self.fail(f"the LaTeX command {t.text} is not supported", t)

    def _name_token(self, fake: Token):
        self.tokens.insert(self.i, fake)
        return self.name(fake)

    def _braced_word(self, t):
        self.expect("{")
        parts = []
        while self.tok.kind == "name":
            parts.append(self.take().text)
        self.expect("}")
        if len(parts) != 1:
            self.fail("expected one word in braces", t)
        return parts[0]

    def _single(self):
        """A LaTeX argument without braces: \\frac12 is 1/2 -- one character or command."""
        t = self.tok
        if t.kind == "num":
            self.take()
            if len(t.text) > 1 and t.text.isdigit():  # \frac12: digit by digit
                rest = t.text[1:]
                self.tokens.insert(self.i, Token("num", rest, t.col + 1))
                return sympy.Integer(int(t.text[0]))
            return _number(t.text)
        return self.atom()

    def latex_sum(self, t, cls):
        # \sum_{k=1}^{n} term: the term runs over a product (not past a + or -)
        self.expect("_")
        if self.at("{"):
            self.take()
            index_tok = self.take()
            if index_tok.kind != "name":
                self.fail("write \\sum_{k=low}^{high}", index_tok)
            self.expect("=")
            index = self._fresh_index(index_tok)
            self.context.append("paren")
            low = self.or_expr()
            self.context.pop()
            self.expect("}")
        else:
            self.fail("write \\sum_{k=low}^{high} term", t)
        self.expect("^")
        high = self.group("{", "}") if self.at("{") else self._single()
        term = self.term()
        self.bound.pop(index.name, None)
        return self._bind(cls, self._value(term), index, self._value(low), self._value(high), t)

    # -- building ------------------------------------------------------------------------
    def _value(self, v):
        if isinstance(v, tuple):
            raise InvalidClaim(f"{quote(self.text)}: a tuple (a, b) is not a value")
        if isinstance(v, Statistic):
            raise InvalidClaim(f"{quote(self.text)}: a statistic ({v.kind}) may only stand alone on "
                               "the left of '='")
        if isinstance(v, (sympy.logic.boolalg.Boolean, sympy.core.relational.Relational)) \
                and not isinstance(v, sympy.Expr):
            raise InvalidClaim(f"{quote(self.text)}: a condition ({_show_event(v)}) is not a number; "
                               "write it inside P(...)")
        return v

    def _boolean(self, v, where="'and', 'or' and 'not'"):
        if isinstance(v, (sympy.logic.boolalg.Boolean, sympy.core.relational.Relational)) \
                and not isinstance(v, sympy.Expr):
            return v
        raise InvalidClaim(f"{quote(self.text)}: {where} need a condition such as X >= 3, "
                           f"not {_show(v)}")

    def _arith(self, left, right, op):
        left, right = self._value(left), self._value(right)
        if op == "^":
            _guard_pow(left, right, self.names.limits)
        if op == "/" and right == 0:
            raise InvalidClaim(f"{quote(self.text)}: division by zero")
        value = {"+": lambda: left + right, "-": lambda: left - right,
                 "*": lambda: left * right, "/": lambda: left / right,
                 "^": lambda: left ** right}[op]()
        return _guard_result(value, "a number in the formula", self.names.limits)

    def _call(self, name: str, args, t: Token):
        fn = self.names.functions.get(name) or FUNCTIONS.get(name)
        if name == "gcd":
            fn = sympy.gcd
        if fn is None:
            self.fail(f"unknown function {quote(name, 40)}", t)
        if fn is sympy.Piecewise:
            pairs = []
            for a in args:
                if not (isinstance(a, tuple) and len(a) == 2):
                    self.fail("Piecewise takes pairs (value, condition)", t)
                pairs.append((self._value(a[0]), a[1]))
            return sympy.Piecewise(*pairs)
        values = [a if fn in (sympy.And, sympy.Or, sympy.Not) else self._value(a) for a in args]
        _guard_call(_CANONICAL.get(name, name), values, self.names.limits)
        try:
            return _guard_result(fn(*values), f"{name}(...)", self.names.limits)
        except TypeError:
            self.fail(f"{name}(...) was given {len(values)} argument(s), which it does not take", t)
        except (ValueError, ArithmeticError) as exc:
            self.fail(f"{name}(...) cannot be computed: {exc}", t)


def _show(v) -> str:
    return sympy.sstr(v) if isinstance(v, sympy.Basic) else repr(v)


def _number(text: str) -> sympy.Rational:
    """A decimal exactly as written: 0.1 is 1/10, 1e-3 is 1/1000."""
    mantissa, _, exponent = text.lower().partition("e")
    if exponent and abs(int(exponent)) > 400:
        raise TooBig(f"{text} is too big or too small (exponents up to 400)")
    if len(mantissa) > 400:
        raise TooBig(f"{text[:20]}... has too many digits (at most 400)")
    return sympy.Rational(Fraction(text))


# --------------------------------------------------------------------------- public API


def _run(text: str, names: Names):
    text = _check_text(text)
    parser = _Parser(text, names)
    try:
        value = parser.parse()
    except InvalidClaim:
        raise
    except RecursionError:
        raise InvalidClaim("the expression is nested too deeply") from None
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, AttributeError) as exc:
        raise InvalidClaim(f"cannot build {_clip(text)}: {exc}") from None
    return value, parser.notes


def parse_expression(text: str, names: dict[str, sympy.Symbol],
                     functions: dict | None = None, notes: list | None = None) -> sympy.Expr:
    """`text` as a sympy expression in `names` (name -> symbol), or InvalidClaim saying why.

    `functions` adds trusted sympy functions by name (a puzzle's own, used in its closed forms).
    """
    value, found = _run(text, Names(dict(names), functions=dict(functions or {})))
    if isinstance(value, tuple) or not isinstance(value, sympy.Expr):
        raise InvalidClaim(f"{_clip(text)} is not a formula with a single value "
                           "(a comparison, condition or tuple)")
    if notes is not None:
        notes.extend(found)
    return value


def parse_left(text: str, params: dict, outcomes: dict, functions: dict | None = None):
    """The left side of a claim: a Statistic, with the free variable (if any) of a law claim.

    Returns (statistic, free) where free maps a name to its symbol (at most one)."""
    names = Names(dict(params), dict(outcomes), dict(functions or {}), allow_statistics=True,
                  allow_free=True)
    value, _notes = _run(text, names)
    if not isinstance(value, Statistic):
        raise InvalidClaim(f"{_clip(text)} is not a quantity: write mean, variance, ..., or a "
                           "statistic such as E[X^2], Var[X], P(X >= 3), median, quantile(0.9)")
    value.text = text
    return value, dict(names.free)


# --------------------------------------------------------------------------- bounded evaluation

_GUARDED_NAMES = {"factorial": "factorial", "gamma": "gamma", "subfactorial": "subfactorial",
                  "factorial2": "factorial2", "catalan": "catalan", "bernoulli": "bernoulli",
                  "fibonacci": "fibonacci", "harmonic": "harmonic", "binomial": "binomial",
                  "FallingFactorial": "ff", "RisingFactorial": "rf", "StirlingS2": "stirling2",
                  "StirlingS1": "stirling1", "stirling": "stirling2",
                  "unsigned_stirling1": "stirling1", "subset_sum_count": "stirling2"}


def bounded_value(expr, subs: dict, limits: Limits = LIMITS):
    """`expr` with `subs` put in, evaluated bottom-up with every number bounded: TooBig (an
    InvalidClaim) when some step would pass a limit, instead of computing for minutes.

    Sums with integer bounds are added term by term (at most limits.terms terms); Piecewise
    takes the first branch whose condition holds."""
    cache: dict = {}

    def walk(e, local):
        if isinstance(e, sympy.Symbol):
            return local.get(e, e)
        if not isinstance(e, sympy.Basic) or e.is_Atom:
            return e
        key = (e, tuple(sorted(local.items(), key=str))) if local is not subs else e
        if key in cache:
            return cache[key]
        if isinstance(e, (sympy.Sum, sympy.Product)) and len(e.limits) == 1:
            value = _bounded_sum(e, local, walk, limits)
        elif isinstance(e, sympy.Piecewise):
            value = sympy.nan
            for piece, cond in e.args:
                c = walk(cond, local)
                if c is sympy.true or c == True:  # noqa: E712 (sympy booleans)
                    value = walk(piece, local)
                    break
                if c is not sympy.false and c != False:  # noqa: E712
                    value = e.func(*[(walk(p, local), walk(q, local)) for p, q in e.args])
                    break
        else:
            args = [walk(a, local) for a in e.args]
            if isinstance(e, sympy.Pow):
                _guard_pow(args[0], args[1], limits)
            elif isinstance(e, sympy.Function):
                name = _GUARDED_NAMES.get(type(e).__name__)
                if name:
                    _guard_call(name, args, limits)
            value = e.func(*args)
            _guard_result(value, "a value of the formula", limits)
        cache[key] = value
        return value

    try:
        return walk(expr, {k: sympy.sympify(v) for k, v in subs.items()})
    except ValueError as exc:
        if "digits" in str(exc):  # Python's limit on int <-> str conversion, hit inside sympy
            raise TooBig("a number is too big to compute exactly here (more than 4,300 "
                         "digits)") from None
        raise


def _bounded_sum(e, local, walk, limits: Limits):
    index, low, high = e.limits[0]
    low, high = walk(low, local), walk(high, local)
    if low.is_Integer and high.is_Integer:
        count = int(high) - int(low) + 1
        if count > limits.terms:
            raise TooBig(f"a {type(e).__name__.lower()} over {count:,} terms is too many to add "
                         f"up (the limit is {limits.terms:,} terms)")
        parts = [walk(e.function, {**local, index: sympy.Integer(k)})
                 for k in range(int(low), int(high) + 1)]
        if isinstance(e, sympy.Sum):
            return _guard_result(sympy.Add(*parts), "a sum", limits)
        return _guard_result(sympy.Mul(*parts), "a product", limits)
    return e.func(walk(e.function, {k: v for k, v in local.items() if k != index}),
                  (index, low, high))
