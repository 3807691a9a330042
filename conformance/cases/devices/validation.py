"""Validation of the other device operations: every member's model constraint, refused as
InvalidParameterException for the right reason, with the strategies and the oracle UpdateDeviceStatus's
validation uses (cases/common.py: judge_invalid, judge_rules), by operation.

Per operation: `-VAL-REQUIRED` (each required member missing, then null: one request each),
`-VAL-CONSTRAINTS` (lengths, patterns, ranges, enums: generated, the boundaries first) and
`-VAL-WRONG-TYPE` (every member as another JSON type)."""

from __future__ import annotations

from conformance.cases.common import judge_invalid, judge_rules
from conformance.contract.constraints import Kind
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from strategies.requests import apply, input_shape, label
from strategies.violations import REMOVE, breakable

from .common import SUBJECTS, requirement_id, valid_request

# Rules judged elsewhere, or by no generated request: missing and null (VAL-REQUIRED, one request each),
# wrong types (VAL-WRONG-TYPE), unknown members (ignored, as AWS's JSON services do).
_NOT_CONSTRAINTS = (Kind.MISSING, Kind.NULL, Kind.TYPE, Kind.UNKNOWN_MEMBER)


def required(ctx: CaseContext) -> None:
    """Each required member left out, then sent as null: refused for that member, twin not alike."""
    operation = ctx.requirement.operation
    base = valid_request(ctx, operation)
    for member in input_shape(operation).required_members:
        for value in (REMOVE, None):
            judge_invalid(ctx, label(apply(base, {member: value}), operation), base)


def constraints(ctx: CaseContext) -> None:
    operation = ctx.requirement.operation
    rules = [(b.member, b.kind) for b in breakable(input_shape(operation)) if b.kind not in _NOT_CONSTRAINTS]
    judge_rules(ctx, rules, valid_request(ctx, operation))


def wrong_type(ctx: CaseContext) -> None:
    operation = ctx.requirement.operation
    rules = [(b.member, b.kind) for b in breakable(input_shape(operation)) if b.kind is Kind.TYPE]
    judge_rules(ctx, rules, valid_request(ctx, operation))


for _operation in SUBJECTS:
    case(requirement_id(_operation, "VAL-REQUIRED"))(required)
    case(requirement_id(_operation, "VAL-CONSTRAINTS"))(constraints)
    case(requirement_id(_operation, "VAL-WRONG-TYPE"))(wrong_type)
