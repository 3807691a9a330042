"""The run's real AccessToken and DeviceKey, given to schemathesis as its auth.

awsJson1_1 carries the token in the JSON body, so no header auth applies. A member whose generated
value satisfies the model gets the real value instead (a valid request is then really valid: the
right user's token, a device of theirs); a value that breaks a rule is left alone, so the negative
data stays negative. Of every `KEEP_ONE_IN` valid values of a member, one is kept as generated (in
the order schemathesis asks, which the seed fixes; the token and the key at different places, so
that neither hides the other): a well-formed token that is no JWT, a well-formed key of no device,
whose refusals are requirements too (AUTH-NOT-JWT, RES-UNKNOWN-DEVICE).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from schemathesis import AuthContext, Case

from conformance.contract.constraints import check
from conformance.contract.extract import OPERATION
from conformance.contract.model import pinned

KEEP_ONE_IN = 4


class RealCredentials:
    """An auth provider (schemathesis's `AuthProvider` protocol) with the members' real values."""

    def __init__(self, values: Mapping[str, str], operation: str = OPERATION) -> None:
        self.values = dict(values)
        self.shape = pinned().operation(operation).input_shape
        self._seen = dict.fromkeys(self.values, 0)  # valid values met so far, per member
        self._lock = threading.Lock()

    def _kept(self, member: str) -> bool:
        """Whether this valid value of `member` stays as generated (one in KEEP_ONE_IN, per member)."""
        with self._lock:
            self._seen[member] += 1
            place = 2 * list(self.values).index(member) + 1
            return self._seen[member] % KEEP_ONE_IN == place % KEEP_ONE_IN

    def get(self, case: Case[Any], ctx: AuthContext) -> dict[str, str]:
        return self.values

    def set(self, case: Case[Any], data: dict[str, str], ctx: AuthContext) -> None:
        body: Any = case.body
        if not isinstance(body, dict):
            return
        for member, value in data.items():
            valid = member in body and not check(self.shape.members[member], body[member], member)
            if valid and not self._kept(member):
                body[member] = value
