"""Read plain option values (str, int, float, bool, Path and lists of them) without pydantic.

typer (0.2x with its own click) converts every option value through a pydantic TypeAdapter:
importing pydantic and building the adapters costs a quarter of a second, more than the rest
of `puzzles list` together. The values this command line takes are plain strings, whole
numbers, numbers, flags and folders; `install()` gives typer's parameters a converter for
exactly those, and hands anything else -- including a value it is not sure about -- to typer's
own converter, so behaviour and messages stay typer's. A typer without the internals this
relies on is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# messages as typer's pydantic converter words them, for values that are plainly not numbers
_NOT_INT = "Input should be a valid integer, unable to parse string as an integer"
_NOT_FLOAT = "Input should be a valid number, unable to parse string as a number"

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    try:
        from typer import _coercion, core
        from typer._click.exceptions import BadParameter
        from typer._param_types import coerce_cli_path

        base = _coercion.RuntimeParam
        parameter_class = core._TyperParameter
        original = parameter_class.get_runtime_param
        build = _coercion.build_runtime_param
    except (ImportError, AttributeError):  # another typer: it converts as it always did
        return

    @dataclass(frozen=True)
    class PlainRuntimeParam(base):
        leaf: Any = None
        descriptor: Any = None

        def _coerce_value(self, value, param, ctx):
            if isinstance(value, (list, tuple)):
                return [self._one(v, param, ctx) for v in value]
            return self._one(value, param, ctx)

        def _one(self, value, param, ctx):
            leaf = self.leaf
            if leaf is bool and isinstance(value, bool):
                return value
            if leaf in (int, float) and isinstance(value, leaf) and not isinstance(value, bool):
                return value  # a default
            if leaf is Path and isinstance(value, Path):
                return coerce_cli_path(value, self.parameter_info, path_type=Path,
                                       param=param, ctx=ctx)
            if isinstance(value, str):
                if leaf is str:
                    return value
                text = value.strip()
                if leaf is int:
                    if _INT.fullmatch(text):
                        return int(text)
                    if not any(c.isdigit() for c in text):
                        raise BadParameter(_NOT_INT, ctx=ctx, param=param)
                elif leaf is float:
                    if _FLOAT.fullmatch(text):
                        return float(text)
                    if not any(c.isdigit() for c in text) and text.lower().lstrip("+-") not in (
                            "inf", "infinity", "nan"):
                        raise BadParameter(_NOT_FLOAT, ctx=ctx, param=param)
                elif leaf is Path and value:
                    return coerce_cli_path(Path(value), self.parameter_info, path_type=Path,
                                           param=param, ctx=ctx)
            # anything unusual: typer's own converter decides, in its own words
            return build(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self):
        if getattr(self, "_runtime_param", None) is None:
            descriptor = self.type_descriptor
            leaf = _plain_leaf(descriptor)
            if leaf is not None:
                self._runtime_param = PlainRuntimeParam(
                    parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
                    leaf=leaf, descriptor=descriptor)
        return original(self)

    parameter_class.get_runtime_param = get_runtime_param
    _installed = True


def _plain_leaf(descriptor) -> type | None:
    """str, int, float, bool or Path when the parameter is one of those (or a list of one) with
    no parser, choices, range or file handling attached; else None."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or getattr(info, "parser", None) is not None:
        return None
    if getattr(info, "min", None) is not None or getattr(info, "max", None) is not None:
        return None
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        args = get_args(annotation)
        annotation = args[0] if len(args) == 1 else None
    if annotation in (str, int, float, bool):
        return annotation
    if annotation is Path and not _path_options(info):
        return Path
    return None


def _path_options(info) -> bool:
    """Whether a Path parameter asks typer for checks (exists, writable, resolve, ...)."""
    defaults = {"exists": False, "file_okay": True, "dir_okay": True, "writable": False,
                "readable": True, "resolve_path": False, "allow_dash": False, "path_type": None}
    return any(getattr(info, k, v) != v for k, v in defaults.items())
