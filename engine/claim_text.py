"""A claim's text read without sympy: splitting LEFT=RIGHT, brackets, tokens, and a cheap
syntax check of the common formulas.

engine/claims.py parses claims with these functions (and builds sympy from the tokens); the
command line runs `precheck_claims` first, so that a claim that cannot parse -- a bracket never
closed, a character that is not maths, a formula that ends on an operator -- is refused with
the full parser's own message before sympy (a quarter of a second) and the puzzle are imported.
The precheck reads only formulas in numbers, the puzzle's names, + - * / ^ and brackets, and
reports an error only where the full parser would report that very error first; anything else
it leaves to the full parser.

This module imports nothing heavy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .errors import InvalidClaim, clip, did_you_mean, quote

MAX_LENGTH = 4000          # characters in one side of a claim
MAX_DEPTH = 60             # nesting of brackets
MAX_NODES = 2000           # tokens

# statistics of the outcome, allowed on the left of '=' only
STATISTICS = {"E": "E", "Ex": "E", "Exp": "E", "expectation": "E",
              "P": "P", "Pr": "P", "Prob": "P", "prob": "P",
              "Var": "Var", "var": "Var", "V": "Var", "variance": "Var",
              "SD": "SD", "sd": "SD", "Sd": "SD", "std": "SD", "Std": "SD", "sigma": "SD",
              "median": "median", "Median": "median", "quantile": "quantile",
              "Quantile": "quantile", "mean": "E"}
_WORDS = {"and": "and", "or": "or", "not": "not"}

# the left sides check() reads as statistics of the first outcome (engine/judge.py)
AS_STATISTIC = {"mean": "E[{X}]", "variance": "Var[{X}]", "probability": "P({X} = 1)",
                "pmf": "P({X} = {x}) ", "cdf": "P({X} <= {x})", "sd": "SD[{X}]"}

_LATEX_SPACES = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                 "quad", "qquad", "displaystyle", "textstyle", "limits", "nolimits"}

_UNICODE = {"·": "*", "×": "*", "⋅": "*", "∙": "*", "−": "-", "–": "-", "÷": "/", "π": " pi ",
            "≤": "<=", "≥": ">=", "≠": "!=", "∞": " oo ", "∧": " and ", "∨": " or ",
            "¬": " not ", "𝔼": "E", "ℙ": "P", "⩽": "<=", "⩾": ">=",
            "∣": "|", "½": "(1/2)", "⅓": "(1/3)", "¼": "(1/4)", "¾": "(3/4)",
            "σ": " sigma ", "μ": " mu ", "λ": " lam "}
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
                 "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-"}


# --------------------------------------------------------------------------- tokens


@dataclass
class Token:
    kind: str    # 'num', 'name', 'op', 'cmd', 'end'
    text: str
    col: int


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<cmd>\\(?:[A-Za-z]+|[,;:!\ {}|]))
  | (?P<name>[A-Za-z][A-Za-z0-9]*(?:_(?![{\d])[A-Za-z0-9]+)*)
  | (?P<op>\*\*|<=|>=|==|!=|<>|&&|\|\||[-+*/^()\[\]{},!|<>=&~_'√])
""", re.VERBOSE)


def _normalise(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _SUPERSCRIPTS:
            j = i
            while j < len(text) and text[j] in _SUPERSCRIPTS:
                j += 1
            out.append("^(" + "".join(_SUPERSCRIPTS[c] for c in text[i:j]) + ")")
            i = j
            continue
        out.append(_UNICODE.get(ch, ch))
        i += 1
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    text = _normalise(text)
    tokens = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise InvalidClaim(f"cannot read {text[pos]!r} at column {pos + 1} of {quote(text)}")
        kind = m.lastgroup
        if kind != "space":
            value = m.group()
            if kind == "cmd" and value[1:] in (",", ";", ":", "!", " ") :
                pass  # LaTeX spacing
            elif kind == "cmd" and value[1:] in _LATEX_SPACES:
                pass
            else:
                tokens.append(Token(kind, value, pos + 1))
        pos = m.end()
        if len(tokens) > MAX_NODES:
            raise InvalidClaim(f"the formula is too long (more than {MAX_NODES} symbols)")
    tokens.append(Token("end", "", pos + 1))
    return tokens



def parse_error(message: str, token: Token, text: str) -> InvalidClaim:
    """The parser's error at `token` of `text` (claims._Parser.fail and the precheck)."""
    where = "at the end" if token.kind == "end" else f"at column {token.col} ({quote(token.text, 30)})"
    return InvalidClaim(f"{message} {where} of {quote(text, 60)}")


# --------------------------------------------------------------------------- whole texts


def _check_text(text) -> str:
    if not isinstance(text, str):
        raise InvalidClaim("the expression must be text")
    text = text.strip()
    if not text:
        raise InvalidClaim("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise InvalidClaim(f"the expression is too long ({len(text):,} characters; at most {MAX_LENGTH:,})")
    depth = deepest = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        deepest = max(deepest, depth)
        if depth < 0:
            raise InvalidClaim(f"unbalanced brackets in {_clip(text)}: a closing bracket has no opening one")
    if depth > 0:
        raise InvalidClaim(f"unbalanced brackets in {_clip(text)}: a '(' is never closed")
    if deepest > MAX_DEPTH:
        raise InvalidClaim(f"the expression is nested too deeply ({deepest} levels; at most {MAX_DEPTH})")
    return text


def _clip(text: str, width: int = 60) -> str:
    return repr(text) if len(text) <= width else repr(text[: width - 3] + "...")



_SPLIT = re.compile(r"(<=|>=|==|!=|=)")


def split_claim(text: str) -> tuple[str, str]:
    """'mean=2*a' -> ('mean', '2*a'); 'P(X>=3)=1/2' -> ('P(X>=3)', '1/2'): the '=' that
    separates the sides is the last one outside brackets that is not part of <= >= == !=."""
    if not isinstance(text, str):
        raise InvalidClaim("a claim must be text")
    if len(text) > 2 * MAX_LENGTH:
        raise InvalidClaim(f"the claim is too long ({len(text):,} characters; at most {2 * MAX_LENGTH:,})")
    depth = 0
    cut = None
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in "<>!=" and depth == 0:
            two = text[i:i + 2]
            if two in ("<=", ">=", "==", "!="):
                i += 2
                continue
            if ch == "=":
                if cut is not None:
                    raise InvalidClaim(f"claim {_clip(text)} has two '=' outside brackets; write "
                                       "LEFT = RIGHT (an event goes inside P(...))")
                cut = i
        i += 1
    if cut is None:
        if "==" in text:
            raise InvalidClaim(f"claim {_clip(text)}: write a single '=' between the sides")
        raise InvalidClaim(f"claim {_clip(text)} must look like QUANTITY=EXPRESSION, e.g. "
                           "mean=2*a*b/(a+b-1) or P(X>=3)=1/2")
    name, expr = text[:cut].strip(), text[cut + 1:].strip()
    return name, expr


# --------------------------------------------------------------------------- one claim's sides
# engine/judge.py's parse_claims words these errors with the functions below, and so does the
# precheck: one wording for both.


def check_sides(left: str, text) -> None:
    """A claim's left side and its formula must both be there."""
    if not left:
        raise InvalidClaim(f"claim ={clip(text, 40)}: the left side is empty (write e.g. mean=... "
                           f"or E[X]=...)")
    if not str(text).strip():
        raise InvalidClaim(f"the claim for {clip(left, 40)} is empty: write {clip(left, 40)}=EXPRESSION")


def is_unknown_quantity(left: str) -> bool:
    """A plain word on the left that is neither a quantity spelled as a statistic nor a
    statistic (the caller has ruled out the puzzle's declared quantities)."""
    return left not in AS_STATISTIC and bool(re.fullmatch(r"[A-Za-z_]\w*", left)) \
        and left not in STATISTICS


def unknown_quantity(left: str, puzzle: str, declared, outcome: str) -> InvalidClaim:
    declared = list(declared)
    return InvalidClaim(f"unknown quantity {quote(left)} for {puzzle}"
                        f"{did_you_mean(left, [*declared, 'median', 'quantile'])}"
                        f" (its quantities: {', '.join(declared)}; or a statistic such as "
                        f"E[{outcome}^2], P({outcome} >= 3), median)")


def in_claim(left: str, text, exc: Exception) -> InvalidClaim:
    """An error inside one claim, saying which claim."""
    return InvalidClaim(f"claim {clip(left, 30)}={clip(str(text), 50)}: {exc}")


# --------------------------------------------------------------------------- the precheck


class _Unsure(Exception):
    """The precheck cannot tell what the full parser would say here: leave it to that parser."""


# the tokens the precheck reads; any other token it meets means _Unsure
_OPS = {"+", "-", "*", "/", "^", "**", "(", ")"}
# exact numbers the precheck follows, in bits; past this it is _Unsure (the full parser's
# limits are far larger, see claims.Limits)
_BITS = 4000
_TERMS = 200      # terms of a polynomial the precheck expands
# Python frames of the full parser in use, roughly (a bracket costs a dozen, a sign one): past
# this, that parser may run out of stack ("nested too deeply") before the error found here
_RECURSION = 400


def precheck_claims(claims, puzzle: str, quantities, parameters, outcomes) -> bool:
    """Raise the InvalidClaim that engine.judge.parse_claims would raise first for `claims`
    (texts LEFT=RIGHT), when it can be told without sympy. Otherwise True when the full parser
    will read every claim, False when only it can tell. `quantities` are (name, variable name
    or "") of the puzzle's declared quantities, `parameters` its parameter names, `outcomes`
    its outcomes. Call it only where parse_claims would be reached, i.e. once the parameters
    are known to be valid."""
    items = [split_claim(c) for c in claims]
    if not items:
        return False
    declared = dict(quantities)
    for left, text in items:
        left = str(left).strip()
        check_sides(left, text)
        try:
            if left in declared:
                names = set(parameters) | ({declared[left]} if declared[left] else set())
                _Recognizer(_check_text(text), names).parse()
                continue
            if is_unknown_quantity(left):
                raise unknown_quantity(left, puzzle, declared, outcomes[0])
            return False  # a statistic: the full parser reads it
        except InvalidClaim as exc:
            raise in_claim(left, text, exc) from None
        except _Unsure:
            return False
    return True


class TokenCursor:
    """The tokens of a claim's text and a position in them, as both readers of a claim walk
    them: claims._Parser and the sympy-free _Recognizer below."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t


class _Recognizer(TokenCursor):
    """claims._Parser's grammar on formulas in numbers, names, + - * / ^ and round brackets,
    raising its messages at its positions. Values are followed as far as the parser's own
    checks need: an exact number (a Fraction), a polynomial in the names ({monomial:
    coefficient}), or None (anything else); an operation whose outcome those checks could
    refuse (a division by what may be 0, a power of numbers) means _Unsure."""

    def __init__(self, text: str, names: set):
        super().__init__(text)
        self.names = names
        self.depth = 0

    # -- tokens, as claims._Parser reads them ------------------------------------------------
    def at(self, *texts) -> bool:
        t = self.tok
        if t.kind == "end" or t.kind == "num":
            return False
        if t.kind == "name":
            if t.text in _WORDS:
                raise _Unsure
            return t.text in texts
        if t.kind != "op" or t.text not in _OPS:
            raise _Unsure
        return ("^" if t.text == "**" else t.text) in texts

    def starts_atom(self) -> bool:
        t = self.tok
        if t.kind in ("num", "name"):
            if t.text in _WORDS:
                raise _Unsure
            return True
        if t.kind == "op" and t.text in _OPS:
            return t.text == "("
        if t.kind == "end":
            return False
        raise _Unsure

    def fail(self, message: str, token: Token | None = None):
        raise parse_error(message, token or self.tok, self.text)

    def nest(self, frames: int = 1):
        self.depth += frames
        if self.depth > _RECURSION:
            raise _Unsure

    # -- grammar -----------------------------------------------------------------------------
    def parse(self):
        value = self.sum_expr()
        if self.tok.kind != "end":
            if self.at(")"):
                self.fail("unbalanced brackets: a closing bracket has no opening one")
            self.fail("unexpected symbol")
        return value

    def sum_expr(self):
        left = self.term()
        while self.at("+", "-"):
            op = self.take().text
            left = _arith(left, self.term(), op)
        return left

    def term(self):
        left = self.unary()
        while True:
            if self.at("*", "/"):
                op = self.take().text
                right = self.unary()
                if op == "/" and self.starts_atom():
                    self.fail("ambiguous: is it a/(b c) or (a/b) c? add brackets")
                left = _arith(left, right, op)
            elif self.starts_atom():
                left = _arith(left, self.unary(), "*")
            else:
                return left

    def unary(self):
        self.nest()
        try:
            if self.at("-"):
                self.take()
                return _arith(Fraction(0), self.unary(), "-")
            if self.at("+"):
                self.take()
                return self.unary()
            return self.power()
        finally:
            self.depth -= 1

    def power(self):
        base = self.atom()
        if self.at("!"):  # never true: at() is unsure of '!' (a factorial)
            raise _Unsure
        if self.at("^"):
            self.take()
            return _arith(base, self.exponent(), "^")
        return base

    def exponent(self):
        self.nest()
        try:
            if self.at("-"):
                self.take()
                return _arith(Fraction(0), self.exponent(), "-")
            return self.power()
        finally:
            self.depth -= 1

    def atom(self):
        t = self.tok
        if t.kind == "num":
            self.take()
            return _number(t.text)
        if t.kind == "op" and t.text == "(":
            return self.paren()
        if t.kind == "name":
            if t.text in self.names and t.text not in _WORDS:
                self.take()
                return {((t.text, 1),): Fraction(1)}
            raise _Unsure  # a function, a constant, a word, or an unknown name
        if t.kind == "end":
            self.fail("the formula ends too early")
        if t.kind == "op" and t.text == ")":
            self.fail("unbalanced brackets: a closing bracket has no opening one")
        if t.kind == "op" and t.text in _OPS:
            self.fail("unexpected symbol")
        raise _Unsure

    def paren(self):
        open_tok = self.take()
        self.nest(12)
        value = self.sum_expr()
        if self.at(","):  # never true: a tuple is for the full parser
            raise _Unsure
        self.depth -= 12
        if not self.at(")"):
            if self.tok.kind == "end":
                self.fail("unbalanced brackets: a '(' is never closed", open_tok)
            self.fail("expected ')'")
        self.take()
        return value


def _number(text: str) -> Fraction:
    mantissa, _, exponent = text.lower().partition("e")
    if (exponent and abs(int(exponent)) > 300) or len(mantissa) > 300:
        raise _Unsure  # claims._number refuses some of these
    return Fraction(text)


def _constant(value):
    """A polynomial with no names as its number; anything else unchanged."""
    if isinstance(value, dict) and all(not m for m in value):
        return value.get((), Fraction(0))
    return value


def _poly(value) -> dict | None:
    if isinstance(value, Fraction):
        return {(): value} if value else {}
    return value


def _mul_monomials(m1: tuple, m2: tuple) -> tuple:
    powers = dict(m1)
    for name, k in m2:
        powers[name] = powers.get(name, 0) + k
    return tuple(sorted(powers.items()))


def _arith(left, right, op: str):
    """claims._Parser._arith as far as its checks go: _Unsure wherever they might refuse."""
    left, right = _constant(left), _constant(right)
    if op == "^":
        numbers = isinstance(left, Fraction) and isinstance(right, Fraction)
        if numbers or left is None or right is None:
            raise _Unsure  # a power of numbers is checked for size (claims._guard_pow)
        if isinstance(right, Fraction):
            if not (right.denominator == 1 and 0 <= right <= 10):
                raise _Unsure  # a power of a product's numbers is checked for size too
            out = {(): Fraction(1)}
            for _ in range(int(right)):
                out = _arith(out, left, "*")
                if out is None:
                    return None
            return out
        return None
    if op == "/":
        if right is None or (isinstance(right, Fraction) and right == 0) or right == {}:
            raise _Unsure  # it may be 0: the full parser refuses a division by zero
        if isinstance(right, Fraction):
            if isinstance(left, Fraction):
                return _sized(left / right)
            return None if left is None else {m: c / right for m, c in left.items()}
        return None  # a ratio of polynomials (never 0: the denominator is not)
    if left is None or right is None:
        return None
    if isinstance(left, Fraction) and isinstance(right, Fraction):
        return _sized({"+": left + right, "-": left - right, "*": left * right}[op])
    p, q = _poly(left), _poly(right)
    if op in ("+", "-"):
        out = dict(p)
        for m, c in q.items():
            out[m] = out.get(m, Fraction(0)) + (c if op == "+" else -c)
        out = {m: c for m, c in out.items() if c}
    else:
        out = {}
        for m1, c1 in p.items():
            for m2, c2 in q.items():
                m = _mul_monomials(m1, m2)
                out[m] = out.get(m, Fraction(0)) + c1 * c2
        out = {m: c for m, c in out.items() if c}
    if len(out) > _TERMS:
        return None
    for c in out.values():
        _sized(c)
    return _constant(out)


def _sized(value: Fraction) -> Fraction:
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > _BITS:
        raise _Unsure  # the full parser has size limits (claims.Limits)
    return value
