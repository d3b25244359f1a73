"""Safe parsing of a user's formula into a sympy expression.

The text is parsed by Python's `ast` module (which only reads it) and the tree is rebuilt into
sympy node by node from a whitelist: numbers, the puzzle's names, + - * / ** ^ and a fixed set of
functions. Nothing the user wrote is ever evaluated: no `eval`, no `sympify` of the raw string.
An attribute (`a.__class__`), a lambda, a subscript, a string, an unknown name: all refused.
"""

from __future__ import annotations

import ast
from fractions import Fraction
from typing import Iterable

import sympy

from .errors import InvalidClaim

MAX_LENGTH = 2000
MAX_DEPTH = 60

FUNCTIONS = {
    "sqrt": sympy.sqrt, "exp": sympy.exp, "log": sympy.log, "ln": sympy.log,
    "factorial": sympy.factorial, "binomial": sympy.binomial, "comb": sympy.binomial,
    "choose": sympy.binomial, "gamma": sympy.gamma, "beta": sympy.beta,
    "harmonic": sympy.harmonic, "floor": sympy.floor, "ceiling": sympy.ceiling,
    "ceil": sympy.ceiling, "abs": sympy.Abs, "Abs": sympy.Abs, "min": sympy.Min, "Min": sympy.Min,
    "max": sympy.Max, "Max": sympy.Max, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan, "arcsin": sympy.asin,
    "arccos": sympy.acos, "arctan": sympy.atan, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "tanh": sympy.tanh, "erf": sympy.erf, "erfc": sympy.erfc, "Rational": sympy.Rational,
    "ff": sympy.ff, "FallingFactorial": sympy.ff, "rf": sympy.rf, "RisingFactorial": sympy.rf,
    "subfactorial": sympy.subfactorial, "factorial2": sympy.factorial2, "sign": sympy.sign,
    "Heaviside": sympy.Heaviside, "catalan": sympy.catalan, "fibonacci": sympy.fibonacci,
    "bernoulli": sympy.bernoulli, "betainc_regularized": sympy.betainc_regularized,
    "betainc": sympy.betainc, "lowergamma": sympy.lowergamma, "uppergamma": sympy.uppergamma, "stirling": sympy.functions.combinatorial.numbers.stirling,
    # conditions, so that a closed form's own printed text (Piecewise((f, Eq(Mod(x, 2), 0)),
    # (0, True))) reads back in
    "Piecewise": sympy.Piecewise, "Eq": sympy.Eq, "Ne": sympy.Ne, "Mod": sympy.Mod,
    "And": sympy.And, "Or": sympy.Or, "Not": sympy.Not, "KroneckerDelta": sympy.KroneckerDelta,
}
# sum(term, k, low, high) and prod(...): k is a bound name, free inside the term only
BINDERS = {"sum": sympy.Sum, "Sum": sympy.Sum, "summation": sympy.Sum,
           "prod": sympy.Product, "product": sympy.Product, "Product": sympy.Product}
CONSTANTS = {"pi": sympy.pi, "E": sympy.E, "oo": sympy.oo}

_COMPARE = {ast.Lt: sympy.Lt, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.GtE: sympy.Ge,
            ast.Eq: sympy.Eq, ast.NotEq: sympy.Ne}
_BINARY = {ast.Add: lambda x, y: x + y, ast.Sub: lambda x, y: x - y,
           ast.Mult: lambda x, y: x * y, ast.Div: lambda x, y: x / y,
           ast.Pow: lambda x, y: x ** y}


def allowed_names_text(names: Iterable[str]) -> str:
    names = sorted(names)
    return (", ".join(names) if names else "none") + "; constants pi, E; functions " + \
        ", ".join(sorted(set(FUNCTIONS) | {"sum"}))


def parse_expression(text: str, names: dict[str, sympy.Symbol],
                     functions: dict | None = None) -> sympy.Expr:
    """`text` as a sympy expression in `names` (name -> symbol), or InvalidClaim saying why.

    `functions` adds trusted sympy functions by name (a puzzle's own, used in its closed forms).
    """
    if not isinstance(text, str):
        raise InvalidClaim("the expression must be text")
    text = text.strip()
    if not text:
        raise InvalidClaim("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise InvalidClaim(f"the expression is too long ({len(text)} characters; at most {MAX_LENGTH})")
    depth = deepest = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        deepest = max(deepest, depth)
        if depth < 0:
            raise InvalidClaim(f"unbalanced parentheses in {text!r}: a ')' has no '('")
    if depth > 0:
        raise InvalidClaim(f"unbalanced parentheses in {text!r}: a '(' is never closed")
    if deepest > MAX_DEPTH:
        raise InvalidClaim(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)")
    try:
        # '^' means power to people writing maths; as Python's xor it would bind looser than +
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise InvalidClaim(f"cannot parse {text!r}{where}: not a formula") from None
    except (ValueError, RecursionError, MemoryError):
        raise InvalidClaim(f"cannot parse {text!r}") from None
    try:
        expr = _Builder(names, functions).build(tree.body)
        if not isinstance(expr, sympy.Expr):
            raise InvalidClaim(f"{text!r} is not a formula with a single value (a comparison, condition or tuple)")
        return expr
    except InvalidClaim:
        raise
    except RecursionError:
        raise InvalidClaim("the expression is nested too deeply") from None
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError) as exc:
        raise InvalidClaim(f"cannot build {text!r}: {exc}") from None


class _Builder:
    def __init__(self, names: dict[str, sympy.Symbol], functions: dict | None = None):
        self.names = dict(names)
        self.functions = {**FUNCTIONS, **(functions or {})}

    def build(self, node: ast.AST) -> sympy.Expr:
        if isinstance(node, ast.Constant):
            return self._number(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](self.build(node.left), self.build(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.build(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            parts = [self.build(v) for v in node.values]
            return sympy.And(*parts) if isinstance(node.op, ast.And) else sympy.Or(*parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return sympy.Not(self.build(node.operand))
        if isinstance(node, ast.Tuple):  # only as a Piecewise pair or sum limits
            return tuple(self.build(e) for e in node.elts)
        raise InvalidClaim(f"{_describe(node)} is not allowed in a formula "
                           "(use numbers, names, + - * / ** ( ) and functions)")

    def _compare(self, node: ast.Compare) -> sympy.Basic:
        if not all(type(op) in _COMPARE for op in node.ops):
            raise InvalidClaim("only the comparisons < <= > >= == != are allowed")
        terms = [self.build(node.left)] + [self.build(c) for c in node.comparators]
        parts = [_COMPARE[type(op)](left, right)
                 for op, left, right in zip(node.ops, terms, terms[1:])]
        return parts[0] if len(parts) == 1 else sympy.And(*parts)

    def _number(self, value) -> sympy.Expr:
        if isinstance(value, bool):
            return sympy.true if value else sympy.false
        if not isinstance(value, (int, float)):
            raise InvalidClaim(f"{value!r} is not allowed in a formula: only numbers")
        if isinstance(value, int):
            return sympy.Integer(value)
        return sympy.Rational(Fraction(repr(value)))  # 0.1 means 1/10 exactly

    def _name(self, name: str) -> sympy.Expr:
        if name in self.names:
            return self.names[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in self.functions or name in BINDERS:
            raise InvalidClaim(f"{name} is a function: call it, as in {name}(...)")
        raise InvalidClaim(f"unknown name {name!r} (you may use: "
                           f"{allowed_names_text(n for n in self.names if not n.startswith('_'))})")

    def _call(self, node: ast.Call) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            raise InvalidClaim(f"{_describe(node.func)} cannot be called; call a function by name")
        if node.keywords:
            raise InvalidClaim(f"{node.func.id}(...) takes no keyword arguments")
        name = node.func.id
        if name in BINDERS:
            return self._binder(name, node.args)
        if name not in self.functions:
            raise InvalidClaim(f"unknown function {name!r} (functions: "
                               f"{', '.join(sorted(set(self.functions) | {'sum', 'prod'}))})")
        args = [self.build(a) for a in node.args]
        try:
            return self.functions[name](*args)
        except TypeError:
            raise InvalidClaim(f"{name}(...) was given {len(args)} argument(s), which it does not take") from None

    def _binder(self, name: str, args) -> sympy.Expr:
        if len(args) == 2 and isinstance(args[1], ast.Tuple) and len(args[1].elts) == 3:
            args = [args[0], *args[1].elts]  # sympy's own spelling: Sum(term, (k, low, high))
        if len(args) != 4 or not isinstance(args[1], ast.Name):
            raise InvalidClaim(f"write {name}(term, k, low, high): the term summed for k = low..high")
        var_name = args[1].id
        if var_name in self.names or var_name in CONSTANTS or var_name in self.functions:
            raise InvalidClaim(f"{name}(...) needs a fresh index name, not {var_name!r}")
        index = sympy.Symbol(var_name, integer=True)
        low, high = self.build(args[2]), self.build(args[3])
        inner = _Builder({**self.names, var_name: index}, self.functions)
        return BINDERS[name](inner.build(args[0]), (index, low, high))


def _describe(node: ast.AST) -> str:
    kinds = {ast.Attribute: "an attribute ('.')", ast.Lambda: "a lambda", ast.Subscript: "a subscript ([...])",
             ast.IfExp: "'if'", ast.List: "a list", ast.Dict: "a dict", ast.Set: "a set",
             ast.JoinedStr: "a string", ast.Starred: "'*' unpacking", ast.NamedExpr: "':='",
             ast.ListComp: "a comprehension", ast.GeneratorExp: "a generator", ast.Await: "'await'"}
    for kind, text in kinds.items():
        if isinstance(node, kind):
            return text
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.UnaryOp):
        return f"the operator {type(node.op).__name__}"
    return type(node).__name__


def split_claim(text: str) -> tuple[str, str]:
    """'mean=2*a' -> ('mean', '2*a')."""
    name, sep, expr = text.partition("=")
    if not sep:
        raise InvalidClaim(f"claim {text!r} must look like QUANTITY=EXPRESSION, e.g. mean=2*a*b/(a+b-1)")
    name = name.strip()
    if expr.startswith("="):
        raise InvalidClaim(f"claim {text!r}: write a single '=' after the quantity")
    return name, expr.strip()
