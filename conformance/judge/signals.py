"""One hierarchy for what interrupts judging: a check's verdict on an answer, and a case that stops.

A check returns what it saw (PASS), raises `CheckFailure` (a wrong answer) or `NothingToJudge` (what it
needs could not be had); `CaseContext.verify` turns each into an outcome. A case that cannot go on
raises a `CaseStopped`, whose class names the verdict; the runner catches that one type. Failures of
the layers below (a fixture that cannot be had, a raw request a target cannot send) are converted into
these at the context's boundary (`conformance/engine/context.py`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from conformance.targets.exchange import Exchange

from .verdicts import Verdict


class CheckFailure(Exception):
    """A check saw a wrong answer."""

    def __init__(
        self,
        requirement: str,
        expected: Any,
        actual: Any,
        exchange: Exchange | None = None,
        *,
        soft: bool = False,
        check: str | None = None,
        level: str | None = None,
    ) -> None:
        super().__init__(f"{requirement}: expected {expected}, got {actual}")
        self.level = level  # "INFO" for an assumption no source backs: recorded, never a failure
        self.requirement = requirement
        self.expected = expected
        self.actual = actual
        self.exchange = exchange
        self.soft = soft
        self.check = check


class NothingToJudge(Exception):
    """A check could not look at what it judges (state unreadable, no answer of the kind it needs)."""

    def __init__(self, requirement: str, reason: str, exchange: Exchange | None = None) -> None:
        super().__init__(reason)
        self.requirement = requirement
        self.reason = reason
        self.exchange = exchange


class CaseStopped(Exception):
    """The case cannot go on; `verdict` is what it gets unless a failure was seen before."""

    verdict: ClassVar[Verdict]

    def describe(self) -> str:
        return str(self)


class Blocked(CaseStopped):
    """A fixture or a path the case needs cannot be had on this target.

    Either the target broke it (`requirement`: the device-flow or protocol requirement whose FAIL
    explains it; None: FLOW-TEST-SUPPORT's), and the gate fails; or it is a `limit` outside the target
    (no control path, the call budget, a staging pool's configuration, the target's quota), neutral."""

    verdict = Verdict.BLOCKED

    def __init__(
        self, reason: str, requirement: str | None = None, *, limit: bool = False, silent: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.requirement = requirement
        self.limit = limit
        self.silent = silent  # no answer came at all: the breaker's business (exit 3), not a verdict


class Unimplemented(CaseStopped):
    """The target does not implement an operation the case needs."""

    verdict = Verdict.UNIMPLEMENTED


class SuiteFailed(CaseStopped):
    """A tool the suite drives failed on its own (schemathesis reported an error): an ERROR, never a
    verdict on the target."""

    verdict = Verdict.ERROR

    def describe(self) -> str:
        return f"the suite failed: {type(self).__name__}: {self}"
