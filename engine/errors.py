"""One exception hierarchy for everything a user can cause.

Raised deep inside the engine; translated to one line on stderr and exit code 2 only in `cli/`.
"""


class PuzzleError(Exception):
    """Base of every error a user can cause (bad name, bad parameter, bad claim, ...)."""


class LimitExceeded(PuzzleError):
    """Input within the rules but beyond a bound on time or on the size of numbers; the message
    names the bound (engine.exact.bounded raises it for exact evaluation)."""


# An error line quotes at most this many characters of what the user typed.
QUOTE_WIDTH = 80


def clip(text, width: int = QUOTE_WIDTH) -> str:
    """`text` cut to `width` characters with an ellipsis: error lines never echo unbounded input."""
    text = str(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def quote(text, width: int = QUOTE_WIDTH) -> str:
    """What the user typed, quoted for a message ('...'), at most `width` characters of it."""
    return repr(clip(text, width))


def closest(name, choices, n: int = 3) -> list[str]:
    """The few names of `choices` closest to `name` (difflib), best first; [] if none is close."""
    import difflib

    choices = [str(c) for c in choices]
    text = str(name)[:QUOTE_WIDTH]
    found = difflib.get_close_matches(text, choices, n=n, cutoff=0.6)
    if not found:  # a different case, or a prefix: 'Mean', 'varia'
        lower = {c.lower(): c for c in choices}
        found = [lower[c] for c in difflib.get_close_matches(text.lower(), list(lower), n=n,
                                                             cutoff=0.5)]
    return found


def did_you_mean(name, choices, n: int = 3) -> str:
    """'; did you mean a, b?' for the closest of `choices`, or '' when none is close."""
    found = closest(name, choices, n)
    return f"; did you mean {', '.join(found)}?" if found else ""


def some_names(choices, limit: int = 8) -> str:
    """`choices` joined by commas when there are few; the first `limit` and how many more else."""
    choices = [str(c) for c in choices]
    if len(choices) <= limit:
        return ", ".join(choices)
    return f"{', '.join(choices[:limit])}, ... ({len(choices)} in all)"


class UnknownPuzzle(PuzzleError, LookupError):
    pass


class InvalidParameter(PuzzleError, ValueError):
    pass


class InvalidOption(PuzzleError, ValueError):
    """An engine option out of range: trials, threads, alpha, seed, ...

    Raised as InvalidOption(message), or as InvalidOption(option="alpha", value=2, rule="must
    be ...") when the message names the option: the Python API then reads "alpha=2 must be
    ...", and the command line words it as the user typed it, "--alpha 2 must be ..."
    (`as_typed`), since only the layer that parsed the option knows how it was spelt."""

    def __init__(self, message: str | None = None, *, option: str | None = None, value=None,
                 rule: str = ""):
        self.option, self.value, self.rule = option, value, rule
        if message is None:
            message = f"{option}={_shown(value)} {rule}".rstrip()
        super().__init__(message)

    def as_typed(self, flag: str | None = None) -> str:
        """The message with the option as a command-line flag: --max-trials 0, not
        max_trials=0 (`flag` defaults to --OPTION with '-' for '_')."""
        if self.option is None:
            return str(self)
        flag = flag or "--" + self.option.replace("_", "-")
        return f"{flag} {_shown(self.value)} {self.rule}".rstrip()


def _shown(value) -> str:
    """An option's value in a message: 2 for 2.0, clipped."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    elif isinstance(value, float):
        value = f"{value:g}"
    return clip(value, 40)


class InvalidClaim(PuzzleError, ValueError):
    pass


class InvalidPuzzleSpec(PuzzleError):
    """A puzzle module that does not describe a valid puzzle; names the file and what to fix."""
