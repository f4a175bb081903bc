"""Explicit registries of named methods.

Every method of a step (a normalisation, an aggregation, a counting rule) is one
small function registered under ``(family, name)``, so a spec can say
``method = "minmax"`` and a reader finds the implementation in one place::

    from innometrics.registry import register, get_method

    @register("normalise", "minmax")
    def minmax(x, *, lower=0.0, upper=100.0): ...

    get_method("normalise", "minmax")

Unknown names raise :class:`~innometrics.errors.UnknownMethodError` listing the
valid names. Registration happens when the module defining the method is
imported; each family's package imports its method modules explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from innometrics.errors import UnknownMethodError

F = TypeVar("F", bound=Callable)

_REGISTRY: dict[str, dict[str, Callable]] = {}


def register(family: str, name: str) -> Callable[[F], F]:
    """Register ``func`` as method ``name`` of ``family``; duplicates are an error."""

    def decorator(func: F) -> F:
        methods = _REGISTRY.setdefault(family, {})
        if name in methods and methods[name] is not func:
            raise RuntimeError(f"method {family}.{name} is registered twice")
        methods[name] = func
        func.method_name = name  # type: ignore[attr-defined]
        func.method_family = family  # type: ignore[attr-defined]
        return func

    return decorator


def get_method(family: str, name: str) -> Callable:
    """Return the function registered as ``family.name``."""
    methods = _REGISTRY.get(family, {})
    try:
        return methods[name]
    except KeyError:
        valid = ", ".join(sorted(methods)) or "(none registered)"
        raise UnknownMethodError(
            f"Unknown {family} method '{name}'. Valid methods: {valid}."
        ) from None


def method_names(family: str) -> list[str]:
    """Sorted names registered in ``family``."""
    return sorted(_REGISTRY.get(family, {}))
