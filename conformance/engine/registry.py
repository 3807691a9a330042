"""The case registry: every case is a function of a CaseContext, registered with the requirement it
enforces. The case modules register themselves when `conformance.cases` is imported (the application
does that, conformance/app/); this module knows no case module.

A case defined wrong (an unknown requirement id, an id given twice) raises `InvalidDefinition` when its
module is imported, with one line.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Collection
from dataclasses import dataclass

from conformance.contract.catalog import catalog
from conformance.errors import InvalidDefinition
from conformance.judge.check import known

from .context import CaseContext
from .settings import RunSettings

CaseFunction = Callable[[CaseContext], None]


@dataclass(frozen=True)
class Case:
    id: str
    requirement: str
    run: CaseFunction
    ops: tuple[str, ...] = ("UpdateDeviceStatus",)  # operations the case relies on (probed first)
    schemathesis: bool = False  # judges the schemathesis phase (not selected when the phase is off)

    @property
    def operation(self) -> str:
        """The operation whose contract the case judges: its requirement's (the catalog says)."""
        return catalog().get(self.requirement).operation


CASES: dict[str, Case] = {}


def case(
    case_id: str,
    *,
    requirement: str | None = None,
    ops: tuple[str, ...] | None = None,
    schemathesis: bool = False,
) -> Callable[[CaseFunction], CaseFunction]:
    """Register a case; its requirement defaults to the id (one case per requirement), the operations it
    relies on to its requirement's operation."""
    enforced = known(requirement or case_id, f"case {case_id}")
    ops = (catalog().get(enforced).operation,) if ops is None else ops  # () relies on none

    def register(fn: CaseFunction) -> CaseFunction:
        if case_id in CASES:
            raise InvalidDefinition(f"case {case_id}: registered twice")
        CASES[case_id] = Case(case_id, enforced, fn, ops, schemathesis)
        return fn

    return register


def all_cases() -> list[Case]:
    """Every registered case; none registered means `conformance.cases` was never imported."""
    if not CASES:
        raise InvalidDefinition("no case is registered: import conformance.cases first")
    return list(CASES.values())


def select(
    pattern: str | None, *, schemathesis: bool = True, operations: Collection[str] | None = None
) -> list[Case]:
    """Cases whose id is the text, or matches a glob (`VAL-*`), or contains it; all when pattern is None.
    Without `schemathesis`, the schemathesis phase's cases are left out (the phase is off); with
    `operations`, only the cases that judge one of them."""
    order = {r.id: i for i, r in enumerate(catalog().requirements)}
    found = sorted(all_cases(), key=lambda c: (order.get(c.requirement, len(order)), c.id))
    found = [c for c in found if schemathesis or not c.schemathesis]
    if operations is not None:
        found = [c for c in found if c.operation in operations]
    if not pattern:
        return found
    patterns = [p.strip() for p in pattern.split(",") if p.strip()]
    ids = {c.id for c in found}

    def matches(case_id: str, p: str) -> bool:
        # A case's exact id selects that case alone (PROTO-NO-5XX, not SCHEMATHESIS-PROTO-NO-5XX too).
        return case_id == p if p in ids else fnmatch.fnmatchcase(case_id, p) or p in case_id

    return [c for c in found if any(matches(c.id, p) for p in patterns)]


def selected(settings: RunSettings) -> list[Case]:
    """The cases a run's settings select: `--case`, `--operation`, and the phase's only when it is on."""
    return select(settings.case, schemathesis=settings.schemathesis > 0, operations=settings.operations)
