"""The run's real member values (a user's AccessToken, a device key of theirs, the pool id and the
username), given to schemathesis as its auth, operation by operation; and the headers an operation's
requests carry as they are (`headers`: the X-Amz-Target the phase's document does not vary, engine.py).

awsJson1_1 carries the token in the JSON body, so no header auth applies. A member whose generated
value satisfies the model gets the real value instead (a valid request is then really valid: the
right user's token, a device of theirs, their pool); a value that breaks a rule is left alone, so the
negative data stays negative. Of every `KEEP_ONE_IN` valid values of a member, one is kept as generated
(in the order schemathesis asks, which the seed fixes; each member of an operation at another place,
so that none hides another): a well-formed token that is no JWT, a well-formed key of no device, a
pool or user that does not exist, whose refusals are requirements too (AUTH-NOT-JWT,
RES-UNKNOWN-DEVICE) or at least answers every check judges.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from schemathesis import AuthContext, Case

from conformance.contract.constraints import check
from conformance.contract.model import pinned

KEEP_ONE_IN = 4
# Where in each run of KEEP_ONE_IN valid values a member's generated one is kept, by the member's
# place in its operation's values: the first two as UpdateDeviceStatus always had them (1 and 3).
_PLACES = (1, 3, 2, 0)


def operation_of(case: Case[Any]) -> str | None:
    """The operationId of the document's operation `case` was generated for."""
    raw = getattr(case.operation.definition, "raw", None)
    return str(raw["operationId"]) if isinstance(raw, dict) and "operationId" in raw else None


class RealCredentials:
    """An auth provider (schemathesis's `AuthProvider` protocol) with the members' real values, by
    operation (`values`: operation -> member -> value)."""

    def __init__(
        self, values: Mapping[str, Mapping[str, str]], headers: Mapping[str, Mapping[str, str]] | None = None
    ) -> None:
        self.values = {operation: dict(members) for operation, members in values.items()}
        self.headers = {operation: dict(fixed) for operation, fixed in (headers or {}).items()}
        self.shapes = {operation: pinned().operation(operation).input_shape for operation in values}
        self._seen: dict[tuple[str, str], int] = {}  # valid values met so far, per operation and member
        self._lock = threading.Lock()

    def _kept(self, operation: str, member: str) -> bool:
        """Whether this valid value of `member` stays as generated (one in KEEP_ONE_IN, per member)."""
        with self._lock:
            seen = self._seen[(operation, member)] = self._seen.get((operation, member), 0) + 1
            place = _PLACES[list(self.values[operation]).index(member) % len(_PLACES)]
            return seen % KEEP_ONE_IN == place % KEEP_ONE_IN

    def get(self, case: Case[Any], ctx: AuthContext) -> dict[str, str]:
        # schemathesis may cache what `get` returns across operations: `set` reads the case's own.
        return {}

    def set(self, case: Case[Any], data: dict[str, str], ctx: AuthContext) -> None:
        operation = operation_of(case)
        if operation in self.headers:  # headers the document does not let schemathesis generate
            case.headers.update(self.headers[operation])
        self.apply(operation, case.body)

    def apply(self, operation: str | None, body: Any) -> None:
        """Put the real values of `operation` in place of valid generated ones, in the body itself."""
        if operation not in self.values or not isinstance(body, dict):
            return
        shape = self.shapes[operation]
        for member, value in self.values[operation].items():
            valid = member in body and not check(shape.members[member], body[member], member)
            if valid and not self._kept(operation, member):
                body[member] = value
