"""A check is an object registered once: its name, the requirement it judges, the function that judges.

A check with a fixed requirement judges that one (the protocol checks: every answer bears on them). A
check registered without one is an oracle any case may use (`refused`, `unchanged`): its function takes
the requirement it judges as its first argument. Either way the requirement of an outcome is read from
the check, never guessed from a signature. Definitions are checked when the module is imported: an
unknown requirement id or a name registered twice raises `InvalidDefinition` with one line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec

from conformance.contract import ids
from conformance.errors import InvalidDefinition

P = ParamSpec("P")
CheckFunction = Callable[P, "str | None"]


@dataclass(frozen=True)
class Check(Generic[P]):
    """`fn` returns what it saw (None: the answer is not its business) or raises a signal (signals.py)."""

    name: str
    requirement: str | None  # None: the caller names it, as the function's first argument
    fn: Callable[P, str | None]

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> str | None:
        return self.fn(*args, **kwargs)

    def judged(self, args: tuple[Any, ...]) -> str:
        """The requirement this call judges: the fixed one, or the first argument."""
        if self.requirement is not None:
            return self.requirement
        if not args or not isinstance(args[0], str):
            raise InvalidDefinition(f"check {self.name} judges the requirement its caller names first")
        return known(args[0], f"check {self.name}")


CHECKS: dict[str, Check[Any]] = {}


def known(requirement: str, where: str) -> str:
    """`requirement`, if the catalog has it; else InvalidDefinition naming `where` it was written."""
    if requirement not in ids.ALL:
        raise InvalidDefinition(
            f"{where}: unknown requirement id {requirement!r} (not in specs/requirements.toml)"
        )
    return requirement


def register(name: str, requirement: str | None, fn: Callable[P, str | None]) -> Check[P]:
    """Register a check once; its requirement, when fixed, must be in the catalog."""
    if name in CHECKS:
        raise InvalidDefinition(f"check {name}: registered twice")
    if requirement is not None:
        known(requirement, f"check {name}")
    registered = Check(name, requirement, fn)
    CHECKS[name] = registered
    return registered


def check(requirement: str | None = None) -> Callable[[Callable[P, str | None]], Check[P]]:
    """Decorator: the function, registered as a check under its own name."""

    def decorate(fn: Callable[P, str | None]) -> Check[P]:
        return register(fn.__name__, requirement, fn)

    return decorate
