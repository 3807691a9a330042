"""The case context: an operation that hangs costs one timeout per case, not one per example."""

from __future__ import annotations

from typing import Any

from conformance.contract.catalog import catalog
from conformance.engine.registry import select
from conformance.engine.runner import run_case
from conformance.judge.verdicts import Verdict
from conformance.targets.exchange import Exchange

from .conftest import session_for


def test_an_operation_that_timed_out_is_not_sent_again_in_the_same_case() -> None:
    with session_for("reference", examples=10) as session:
        session.shared("user_a")  # provisioned, and the operation probed, before the target hangs
        assert session.unimplemented("UpdateDeviceStatus") is None
        sent: list[str] = []
        real_call, real_raw = session.target.call, session.target.send_raw

        def hanging_call(operation: str, params: dict[str, Any], **kwargs: Any) -> Exchange:
            if operation == "UpdateDeviceStatus":
                sent.append(operation)
                return Exchange(operation, {}, b"", error="timeout after 10s")
            return real_call(operation, params, **kwargs)

        def hanging_raw(headers: dict[str, str], body: bytes, **kwargs: Any) -> Exchange:
            if kwargs.get("operation") != "UpdateDeviceStatus":  # the watch's reads (Target.read)
                return real_raw(headers, body, **kwargs)
            sent.append("raw")
            return Exchange("UpdateDeviceStatus", dict(headers), body, error="timeout after 10s")

        session.target.call = hanging_call  # type: ignore[method-assign]
        session.target.send_raw = hanging_raw  # type: ignore[method-assign]
        try:
            result = run_case(session, select("VAL-DEVICEKEY-PATTERN")[0], catalog())
        finally:
            session.target.call, session.target.send_raw = real_call, real_raw  # type: ignore[method-assign]
    # Nothing of its own could be judged, and the target is to blame: the request without an answer is
    # PROTO-NO-5XX's, which the BLOCKED names (and the gate fails on).
    assert result.verdict is Verdict.BLOCKED
    assert result.blocked == {"cause": "target", "requirement": "PROTO-NO-5XX"}
    assert "timed out" in (result.reason or "") or "timeout" in (result.reason or "")
    assert len(sent) == 1, sent  # one timeout in the case, whatever the examples
