"""Parameter rules declared next to each method and checked once, before it runs.

A method declares its parameters with :func:`declare`; a step calls
:func:`check_params` with the user's values, which raises one
:class:`~innometrics.errors.SpecError` per problem with the message template
"The 'range' parameter of normalise.minmax must be two numbers with lower < upper.
Got [100, 0]." (the idea of scikit-learn's ``_param_validation``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from innometrics.errors import SpecError


@dataclass(frozen=True)
class Rule:
    """A parameter rule: ``check(value)`` is True when ``value`` is allowed."""

    description: str
    check: Callable[[Any], bool]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


NUMBER = Rule("a finite number", _is_number)
NONZERO = Rule("a non-zero number", lambda v: _is_number(v) and v != 0)
BOOLEAN = Rule("true or false", lambda v: isinstance(v, bool))
PROPORTION = Rule("a number between 0 and 1", lambda v: _is_number(v) and 0 <= v <= 1)
INDEX = Rule("an integer >= 0", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0)
INCREASING_PAIR = Rule(
    "two numbers with lower < upper",
    lambda v: isinstance(v, (list, tuple)) and len(v) == 2 and all(_is_number(x) for x in v) and v[0] < v[1],
)
MEAN_SD = Rule(
    "two numbers [mean, sd] with sd > 0",
    lambda v: isinstance(v, (list, tuple)) and len(v) == 2 and all(_is_number(x) for x in v) and v[1] > 0,
)
DIRECTION = Rule("1 or -1", lambda v: _is_number(v) and v in (1, -1))


def one_of(*options: Any) -> Rule:
    """A rule accepting only ``options``."""
    return Rule("one of " + ", ".join(repr(o) for o in options), lambda v: v in options)


def declare(**rules: Rule) -> Callable:
    """Attach parameter ``rules`` to a method (read by :func:`check_params`)."""

    def decorator(func: Callable) -> Callable:
        func.param_rules = dict(rules)  # type: ignore[attr-defined]
        return func

    return decorator


def check_params(
    func: Callable,
    params: Mapping[str, Any],
    *,
    file: Any = None,
    key_prefix: str | None = None,
    required: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Validate ``params`` against the rules declared on ``func``; return them as a dict.

    Unknown names and values breaking a rule raise :class:`SpecError` naming the
    spec ``file`` and the dotted key (``key_prefix.name``).
    """
    rules: dict[str, Rule] = getattr(func, "param_rules", {})
    label = f"{getattr(func, 'method_family', '?')}.{getattr(func, 'method_name', func.__name__)}"
    for name, value in params.items():
        key = f"{key_prefix}.{name}" if key_prefix else name
        if name not in rules:
            allowed = ", ".join(sorted(rules)) or "(none)"
            raise SpecError(f"{label} has no parameter '{name}'. Allowed parameters: {allowed}.", file=file, key=key)
        rule = rules[name]
        if not rule.check(value):
            raise SpecError(
                f"The '{name}' parameter of {label} must be {rule.description}. Got {value!r}.", file=file, key=key
            )
    for name in required:
        if name not in params:
            key = f"{key_prefix}.{name}" if key_prefix else name
            raise SpecError(f"{label} needs the '{name}' parameter ({rules[name].description}).", file=file, key=key)
    return dict(params)
