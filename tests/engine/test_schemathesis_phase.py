"""The schemathesis phase: the conformant reference passes every SCHEMATHESIS-* case, each judged by the
suite's check and schemathesis's; each faulty variant the phase can see fails exactly the phase cases
listed here, on the right requirement, by the named checks. In results.json a phase case is its
requirement's row (engine/merge.py), judged by "schemathesis"."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.cases import schemathesis_phase
from conformance.cases.schemathesis_phase import PREFIX, SORTING
from conformance.cases.validation import RULES
from conformance.contract.catalog import ID_PREFIXES
from conformance.contract.constraints import Kind
from conformance.engine.registry import select
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.phase.bridge import TargetApp
from conformance.phase.credentials import KEEP_ONE_IN, RealCredentials
from conformance.phase.engine import Findings
from conformance.phase.kinds import classify
from conformance.reference import ReferenceBackend, start_server
from conformance.reference.faults import FaultyBackend
from conformance.targets.exchange import Exchange
from conformance.targets.target import open_target
from strategies.wire import proper_headers

from .conftest import cli, faulty_endpoint, run_cases, serving, session_for

PHASE = PREFIX + "*"
FAIL, NON_STRICT = "FAIL", "NON-STRICT"
ST = "schemathesis "
# fault -> {the phase's requirement it breaks: (verdict, the checks that break)}: every phase case the
# fault makes fail, no more (the other phase cases still pass or have nothing to judge).
PHASE_CAUGHT: dict[str, dict[str, tuple[str, set[str]]]] = {
    "server-error-on-long-keys": {
        "PROTO-NO-5XX": (FAIL, {"not_5xx", ST + "not_a_server_error"}),
        "VAL-DEVICEKEY-LENGTH": (FAIL, {"refused"}),
        "VAL-DEVICEKEY-PATTERN": (FAIL, {"refused"}),
        "RES-UNKNOWN-DEVICE": (FAIL, {"refused"}),
    },
    "malformed-json-crashes": {  # every operation's: each one's wrong types get the HTML 500
        "PROTO-NO-5XX": (FAIL, {"not_5xx", ST + "not_a_server_error"}),
        "PROTO-MALFORMED-JSON": (FAIL, {"wire_refused"}),
        "PROTO-WRONG-CONTENT-TYPE": (FAIL, {"wire_refused"}),
        "VAL-WRONG-TYPE": (FAIL, {"refused"}),
        **{f"{prefix}-VAL-WRONG-TYPE": (FAIL, {"refused"}) for prefix in ID_PREFIXES.values()},
        "PROTO-ERROR-TYPE": (FAIL, {"error_type_known"}),
        "PROTO-CONTENT-TYPE": (NON_STRICT, {"content_type", ST + "content_type_conformance"}),
        "PROTO-ERROR-MESSAGE": (NON_STRICT, {"message"}),
        "PROTO-REQUEST-ID": (NON_STRICT, {"request_id"}),
    },
    "token-only": {  # validation skipped when the token is good: every rule but a wrong type accepted
        **{
            req: (FAIL, {"refused", ST + "negative_data_rejection"})
            for req in (
                "VAL-ACCESSTOKEN-MISSING",
                "VAL-ACCESSTOKEN-NULL",
                "VAL-ACCESSTOKEN-PATTERN",
                "VAL-DEVICEKEY-MISSING",
                "VAL-DEVICEKEY-LENGTH",
                "VAL-DEVICEKEY-PATTERN",
                "VAL-STATUS-ENUM",
            )
        },
        "VAL-DEVICEKEY-NULL": (FAIL, {"refused"}),  # the suite alone: no negative check by schemathesis
    },
    "json-content-type": {
        "PROTO-CONTENT-TYPE": (NON_STRICT, {"content_type", ST + "content_type_conformance"}),
    },
    "content-type-ignored": {"PROTO-WRONG-CONTENT-TYPE": (FAIL, {"wire_refused"})},
    "errors-as-403": {"PROTO-STATUS-SPLIT": (FAIL, {"status_split", ST + "status_code_conformance"})},
    "wrong-error-type": {
        "PROTO-ERROR-TYPE": (
            FAIL,
            {"error_type_known", ST + "response_headers_conformance", ST + "response_schema_conformance"},
        ),
        "RES-UNKNOWN-DEVICE": (FAIL, {"refused"}),
    },
    "type-header-body-disagree": {
        # The catalog reads the header first: a body that disagrees is a SHOULD, for schemathesis too.
        "PROTO-ERROR-TYPE": (NON_STRICT, {"error_type_known", ST + "response_schema_conformance"}),
    },
    "unknown-target-accepted": {
        "PROTO-UNKNOWN-TARGET": (FAIL, {"wire_refused", ST + "negative_data_rejection"}),
    },
    "unknown-target-serialization": {"PROTO-UNKNOWN-TARGET": (NON_STRICT, {"wire_error_type"})},
    "accept-invalid-enum": {
        "VAL-STATUS-ENUM": (FAIL, {"refused", ST + "negative_data_rejection"}),
        "VAL-WRONG-TYPE": (FAIL, {"refused", ST + "negative_data_rejection"}),
    },
    "validation-blames-token": {
        req: (FAIL, {"refused_for_the_violation"})
        for req in (
            "VAL-DEVICEKEY-MISSING",
            "VAL-DEVICEKEY-NULL",
            "VAL-DEVICEKEY-LENGTH",
            "VAL-DEVICEKEY-PATTERN",
            "VAL-STATUS-ENUM",
        )
    },
    "echo-token": {"VAL-SENSITIVE-NOT-ECHOED": (FAIL, {"secret_not_echoed"})},
    "success-body-extra": {"PROTO-SUCCESS-BODY": (FAIL, {"success_body"})},
    "no-request-id": {"PROTO-REQUEST-ID": (NON_STRICT, {"request_id"})},
    "no-message": {"PROTO-ERROR-MESSAGE": (NON_STRICT, {"message"})},
    "namespaced-error-type": {"PROTO-ERROR-TYPE-PLAIN": (NON_STRICT, {"error_type_plain"})},
    # It answers 200 before any check; the phase's watch sees the status it did not store.
    "remembered-not-stored": {"AUTH-NOT-JWT": (FAIL, {"refused", "status_as_sent"})},
    "repeat-fails": {"AUTH-UNSIGNED": (FAIL, {"authorized", ST + "positive_data_acceptance"})},
    "rejects-longest-key": {"RES-UNKNOWN-DEVICE": (FAIL, {"refused"})},  # a kept 55-character key
}


def _failing(result: CaseResult) -> set[str]:
    return {o["check"] for o in result.outcomes if o["verdict"] in (FAIL, NON_STRICT)}


@pytest.fixture(scope="module")
def reference_results() -> dict[str, CaseResult]:
    with session_for("reference") as session:
        return run_cases(session, PHASE)


def test_the_reference_passes_every_phase_case_each_judged_by_both(
    reference_results: dict[str, CaseResult],
) -> None:
    # UpdateDeviceStatus's and the protocol's, and each other operation's three validation requirements.
    per_operation = {
        f"{p}-VAL-{n}" for p in ID_PREFIXES.values() for n in ("REQUIRED", "CONSTRAINTS", "WRONG-TYPE")
    }
    assert per_operation <= {r.requirement for r in reference_results.values()}
    assert len(reference_results) >= 20 + len(per_operation)
    assert {r.verdict for r in reference_results.values()} == {Verdict.PASS}, {
        k: r.reason for k, r in reference_results.items() if r.verdict is not Verdict.PASS
    }
    schemathesis_judged = set()
    for case_id, result in reference_results.items():
        assert result.requirement == case_id.removeprefix(PREFIX)
        checks = {o["check"] for o in result.outcomes}
        assert checks - {c for c in checks if c.startswith(ST)}, f"{case_id}: no suite check judged"
        if any(c.startswith(ST) for c in checks):
            schemathesis_judged.add(case_id.removeprefix(PREFIX))
        assert all(o["verdict"] == "PASS" for o in result.outcomes)
    # schemathesis's own checks took part where they have a requirement to answer to.
    assert {
        "PROTO-NO-5XX",
        "PROTO-STATUS-SPLIT",
        "PROTO-CONTENT-TYPE",
        "PROTO-ERROR-TYPE",
    } <= schemathesis_judged
    assert {"AUTH-UNSIGNED", "VAL-STATUS-ENUM", "PROTO-UNKNOWN-TARGET"} <= schemathesis_judged
    assert per_operation <= schemathesis_judged  # negative_data_rejection, on each operation's refusals


@pytest.mark.parametrize("fault", sorted(PHASE_CAUGHT))
def test_each_fault_fails_exactly_its_phase_cases_on_the_right_requirement(fault: str) -> None:
    with faulty_endpoint(fault) as url, session_for(url) as session:
        results = run_cases(session, PHASE)
    failing = {
        r.requirement: (str(r.verdict), _failing(r))
        for r in results.values()
        if r.verdict in (Verdict.FAIL, Verdict.NON_STRICT)
    }
    assert failing == PHASE_CAUGHT[fault]
    for requirement in failing:
        result = results[PREFIX + requirement]
        assert result.reason and requirement in result.reason
        assert result.curl and result.example  # the smallest failing request, to send again
        assert "eyJ" not in json.dumps(result.as_json())
    assert Verdict.ERROR not in {r.verdict for r in results.values()}


def test_the_phase_is_left_out_when_it_is_off() -> None:
    assert not [c for c in select(None, schemathesis=False) if c.id.startswith(PREFIX)]
    assert {c.id for c in select(PHASE)} == {PREFIX + c.requirement for c in select(PHASE)}


class FailsOnceOnArrays(ReferenceBackend):
    """Answers the first JSON-array body with a 500, then like the reference: a flaky target."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        if body.strip().startswith(b"[") and not self.failed:
            self.failed = True
            return 500, {"Content-Type": "application/x-amz-json-1.1"}, b'{"__type":"InternalErrorException"}'
        return super().handle(target, body, headers, source_ip=source_ip)


def test_a_fail_is_sent_again_and_one_that_does_not_reproduce_is_flaky() -> None:
    with serving(FailsOnceOnArrays()) as url, session_for(url) as session:
        result = run_cases(session, PREFIX + "PROTO-NO-5XX")[PREFIX + "PROTO-NO-5XX"]
    assert result.verdict is Verdict.FAIL and result.flaky, (result.verdict, result.reason)
    assert result.reason and result.reason.startswith("flaky: did not reproduce")


# --- the parts ------------------------------------------------------------------------------------------


def _environ(method: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_HOST": "localhost",
        "HTTP_X_SCHEMATHESIS_TESTCASEID": "case-1",
    }
    for name, value in headers.items():
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def test_the_bridge_sends_what_schemathesis_made_through_the_target_less_its_own_headers() -> None:
    with open_target("reference") as target:
        app = TargetApp(target)
        started: list[str] = []
        body = app(_environ("POST", b"{}", proper_headers()), lambda status, _: started.append(status))
        exchange = app.exchanges["case-1"]
        assert started == ["400 -"] and b"InvalidParameterException" in b"".join(body)
        assert exchange.request_headers == proper_headers()  # no Host: localhost, no test-case id
        assert target.calls.total() == 1
        with pytest.raises(ValueError, match="POST / only"):
            app(_environ("GET", b"", {}), lambda status, _: None)


def test_the_credentials_replace_valid_values_keep_invalid_ones_and_one_in_four() -> None:
    real = {"AccessToken": "real-token", "DeviceKey": "us-east-1_real"}
    provider = RealCredentials({"UpdateDeviceStatus": real})
    bodies = [{"AccessToken": "abc", "DeviceKey": "k_1", "DeviceRememberedStatus": "x"} for _ in range(8)]
    for body in bodies:
        provider.apply("UpdateDeviceStatus", body)
    tokens = [b["AccessToken"] for b in bodies]
    keys = [b["DeviceKey"] for b in bodies]
    assert tokens.count("abc") == keys.count("k_1") == 8 // KEEP_ONE_IN
    assert tokens.index("abc") != keys.index("k_1")  # never both kept in one request
    invalid = {"AccessToken": "not valid!", "DeviceKey": "", "DeviceRememberedStatus": None}
    provider.apply("UpdateDeviceStatus", invalid)
    assert invalid == {"AccessToken": "not valid!", "DeviceKey": "", "DeviceRememberedStatus": None}
    not_object = [1, 2]
    provider.apply("UpdateDeviceStatus", not_object)
    assert not_object == [1, 2]


def _sent(body: Any, headers: dict[str, str] | None = None) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange("UpdateDeviceStatus", headers or proper_headers(), raw)


@pytest.mark.parametrize(
    ("body", "headers", "requirements"),
    [
        (
            {"AccessToken": "t", "DeviceKey": "k_1"},
            {"Content-Type": "text/plain"},
            ("PROTO-WRONG-CONTENT-TYPE",),
        ),
        ({"AccessToken": "t", "DeviceKey": "k_1"}, {"X-Amz-Target": "x"}, ("PROTO-UNKNOWN-TARGET",)),
        (b"{", None, ("PROTO-MALFORMED-JSON",)),
        ([1], None, ("PROTO-MALFORMED-JSON",)),
        ({"DeviceKey": "k_1"}, None, ("VAL-ACCESSTOKEN-MISSING",)),
        ({"AccessToken": "t", "DeviceKey": ""}, None, ("VAL-DEVICEKEY-LENGTH", "VAL-DEVICEKEY-PATTERN")),
        ({"AccessToken": 1, "DeviceKey": "é", "DeviceRememberedStatus": "x"}, None, ("VAL-WRONG-TYPE",)),
        (
            {"AccessToken": "real", "DeviceKey": "k_1", "DeviceRememberedStatus": "x"},
            None,
            ("VAL-STATUS-ENUM",),
        ),
        (
            {"AccessToken": "other", "DeviceKey": "own_1", "DeviceRememberedStatus": "remembered"},
            None,
            ("AUTH-NOT-JWT",),
        ),
        (
            {"AccessToken": "real", "DeviceKey": "k_1", "DeviceRememberedStatus": "remembered"},
            None,
            ("RES-UNKNOWN-DEVICE",),
        ),
        (
            {"AccessToken": "real", "DeviceKey": "own_1", "DeviceRememberedStatus": "remembered"},
            None,
            ("AUTH-UNSIGNED",),
        ),
        ({"AccessToken": "real", "DeviceKey": "own_1"}, None, ()),  # status omitted: INFORMATIONAL's
        ({"AccessToken": "real", "DeviceKey": "own_1", "Extra": 1}, None, ()),  # unknown member: INFO
    ],
)
def test_the_kind_of_a_request_is_read_from_the_request(
    body: Any, headers: dict[str, str] | None, requirements: tuple[str, ...]
) -> None:
    sent = _sent(body, {**proper_headers(), **headers} if headers else None)
    kind = classify(sent, SORTING, {"UpdateDeviceStatus": {"AccessToken": "real", "DeviceKey": "own_1"}})
    assert kind.requirements == requirements


def test_every_validation_rule_belongs_to_one_requirement_kind() -> None:
    assert all(kind in Kind for rules in RULES.values() for _, kind in rules)


@pytest.mark.parametrize(
    ("fault", "requirement", "verdict", "code"),
    [
        ("server-error-on-long-keys", "PROTO-NO-5XX", "FAIL", 1),
        ("json-content-type", "PROTO-CONTENT-TYPE", "NON-STRICT", 0),  # a SHOULD: no CI failure
        ("content-type-ignored", "PROTO-WRONG-CONTENT-TYPE", "FAIL", 1),
    ],
)
def test_the_phase_alone_catches_a_served_fault_through_the_command_line(
    fault: str, requirement: str, verdict: str, code: int, tmp_path: Path
) -> None:
    running = start_server(FaultyBackend(fault), "127.0.0.1", 0)
    try:
        done = cli("run", "--target", running.url, "--case", PHASE, "--report-dir", str(tmp_path))
    finally:
        running.stop()
    assert done.returncode == code, done.stdout[-1500:] + done.stderr[-1500:]
    document = json.loads((tmp_path / "results.json").read_text())
    # One row per requirement: the phase's case is its requirement's row, judged by the phase alone.
    assert not [c["id"] for c in document["cases"] if c["id"].startswith(PREFIX)]
    assert all(c["judged_by"] == ["schemathesis"] for c in document["cases"])
    case = next(c for c in document["cases"] if c["id"] == requirement)
    assert case["verdict"] == verdict and case["requirement"] == requirement
    assert case["curl"].startswith(f"curl -sS -i -X POST {running.url}") and case["example"]
    assert case["reproduce"].endswith(f"--case {PREFIX}{requirement}")
    # No token in any output of the phase: results, JUnit, HTML, the terminal.
    outputs = [done.stdout, done.stderr] + [
        (tmp_path / f).read_text() for f in ("results.json", "junit.xml", "index.html")
    ]
    assert not [o for o in outputs if "eyJ" in o]


def test_a_phase_case_selected_by_its_id_runs_alone_as_its_requirements_row(tmp_path: Path) -> None:
    done = cli("run", "--case", PREFIX + "PROTO-NO-5XX", "--report-dir", str(tmp_path))
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    assert "PASS          SCHEMATHESIS-PROTO-NO-5XX" in done.stdout  # the case that ran, by its id
    document = json.loads((tmp_path / "results.json").read_text())
    assert [(c["id"], c["judged_by"], c["verdict"]) for c in document["cases"]] == [
        ("PROTO-NO-5XX", ["schemathesis"], "PASS")
    ]


def test_an_error_of_schemathesis_itself_is_a_suite_error_not_a_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = Findings(answers=(), errors=("POST /: SerializationNotPossible: no serializer",), credentials={})
    monkeypatch.setattr(schemathesis_phase, "run_phase", lambda *_, **__: broken)
    with session_for("reference") as session:
        result = run_cases(session, PREFIX + "PROTO-NO-5XX")[PREFIX + "PROTO-NO-5XX"]
    assert result.verdict is Verdict.ERROR
    assert result.reason and "schemathesis failed: POST /: SerializationNotPossible" in result.reason
