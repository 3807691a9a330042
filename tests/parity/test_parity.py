"""Record a run, replay it elsewhere: full parity where nothing differs, and each difference a faulty
variant injects reported on the steps where it happens, and nowhere else. No recording holds a token,
a password, a device secret or an id the target made."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conformance.parity.compare import Pairing, differences, error_type, message
from conformance.parity.placeholders import Placeholders, Unresolved
from conformance.parity.recorder import FORMAT
from conformance.provisioning.model import Device, Pool, Tokens, User
from conformance.reference import ReferenceBackend
from conformance.reference.faults import FaultyBackend
from tests.engine.conftest import cli, serving
from tests.leaks import tokens_in

Step = dict[str, Any]
REPORT_FILES = ("results.json", "junit.xml", "index.html")


class Witness(ReferenceBackend):
    """The reference (or a faulty variant's backend), remembering every id and secret it ever held."""

    def __init__(self, inner: ReferenceBackend | None = None) -> None:
        super().__init__()
        self.inner = inner
        self.held: set[str] = set()

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        backend = self.inner or super()
        answer = backend.handle(target, body, headers, source_ip=source_ip)
        store = (self.inner or self).store
        with store.lock:
            for pool in store.pools.values():
                self.held.add(pool.id)
                for user in getattr(pool, "users", {}).values():
                    self.held |= {user.username, user.sub}
            for client in store.clients.values():
                self.held |= {client.id, *([client.secret] if client.secret else [])}
            for device in store.devices.values():
                self.held |= {device.key, device.group_key, device.owner_sub}
            self.held |= set(store.refresh_tokens)
        return answer


def record(target: str, path: Path, cases: str | None = None) -> subprocess.CompletedProcess[str]:
    # UpdateDeviceStatus's requirements: the other operations' paging tokens are values the target issued
    # to that run (tied to its pool and user), which no replay can send again as they were.
    args = ["run", "--target", target, "--record", str(path), "--report-dir", str(path.parent / "run")]
    args += ["--operation", "UpdateDeviceStatus"]
    return cli(*args, *(["--case", cases] if cases else []))


def replay(path: Path, target: str = "reference") -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report = path.parent / "replay"
    done = cli("replay", str(path), "--target", target, "--report-dir", str(report))
    return done, json.loads((report / "results.json").read_text())


def test_a_recording_replayed_against_the_same_implementation_is_in_full_parity(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    witness = Witness()
    with serving(witness) as url:
        recorded = record(url, path)
    assert recorded.returncode == 0, recorded.stdout[-2000:]
    done, document = replay(path, "reference")
    assert done.returncode == 0, done.stdout[-3000:]
    parity = document["parity"]
    schema = json.loads((Path(__file__).parents[2] / "specs" / "results.schema.json").read_text())
    Draft202012Validator(schema).validate(document)
    assert parity["full"] and parity["counts"]["different"] == 0
    assert parity["counts"]["same"] >= 500
    # What is not replayed says why: only requests that held a secret no name stands for (SRP values, a
    # token a case garbled by hand). A forged token is forged again: every AUTH-* request is sent again.
    not_replayed = [s for s in parity["steps"] if s["parity"] == "not replayed"]
    assert all("secret" in s["reason"] for s in not_replayed) and len(not_replayed) <= 8
    assert not [s for s in not_replayed if s["case"].startswith("AUTH-")]
    assert {c["verdict"] for c in document["cases"]} <= {"PASS", "BLOCKED"}
    assert "parity with the recording of" in done.stdout and "0 different" in done.stdout
    merged = cli("report", "merge", str(tmp_path / "replay" / "results.json"), "-o", str(tmp_path / "matrix"))
    assert merged.returncode == 0, merged.stderr
    assert "reference (parity with reference-http 127.0.0.1" not in merged.stdout
    assert "(parity with " in (tmp_path / "matrix" / "index.html").read_text()  # a column of its own
    # The recording holds no id the target made, no token, no secret.
    text = path.read_text()
    assert json.loads(text)["format"] == FORMAT
    leaked = sorted(v for v in witness.held if len(v) >= 6 and v in text)
    assert not leaked, leaked[:5]
    assert not tokens_in(text)
    outputs = [done.stdout, done.stderr, *((tmp_path / "replay" / f).read_text() for f in REPORT_FILES)]
    assert not [tokens_in(o) for o in outputs if tokens_in(o)]  # nor in anything the replay wrote
    for step in json.loads(text)["steps"]:
        body = (step.get("request") or {}).get("body", "")
        assert 'Password": "' not in body.replace('"PasswordVerifier": "$DEVICE_VERIFIER"', "")


def _steps(path: Path) -> list[Step]:
    return [s for s in json.loads(path.read_text())["steps"] if s["case"] != "(run)"]


def _key(step: Step) -> tuple[str, int, int]:
    return step["case"], step["attempt"], step["step"]


def _answered_with(predicate: Callable[[dict[str, Any]], bool]) -> Callable[[Step], bool]:
    return lambda step: step["kind"] == "request" and step["replayable"] and predicate(step["answer"] or {})


# fault -> (cases to run, which recorded steps the fault changed, the fields that differ there)
INJECTED: dict[str, tuple[str, Callable[[Step], bool], set[str]]] = {
    "wrong-error-type": (
        "RES-*,PROTO-ERROR-TYPE",
        _answered_with(lambda a: error_type(a) == "DeviceNotFoundException"),
        {"error type"},
    ),
    "json-content-type": (
        "PROTO-CONTENT-TYPE,VAL-STATUS-ENUM",
        _answered_with(lambda a: a.get("status") is not None),
        {"content type"},
    ),
    "success-body-extra": (
        "PROTO-SUCCESS-BODY,STATE-REMEMBERED",
        lambda s: (
            s["kind"] == "request" and s["operation"] == "UpdateDeviceStatus" and s["answer"]["status"] == 200
        ),
        {"body shape"},
    ),
    "no-message": (
        "PROTO-ERROR-MESSAGE,VAL-DEVICEKEY-LENGTH",
        _answered_with(lambda a: a.get("status", 200) >= 400 and message(a) is None),
        {"message", "body shape"},  # the body lost its "message" member
    ),
}


@pytest.mark.parametrize("fault", sorted(INJECTED))
def test_each_injected_difference_is_reported_on_its_steps_and_nowhere_else(
    fault: str, tmp_path: Path
) -> None:
    cases, changed, fields = INJECTED[fault]
    path = tmp_path / "r.json"
    with serving(FaultyBackend(fault)) as url:
        record(url, path, cases)
    expected = {_key(s) for s in _steps(path) if changed(s)}
    assert expected, "the fault changed nothing in this recording"
    done, document = replay(path, "reference")
    assert done.returncode == 1, done.stdout[-2000:]
    steps = document["parity"]["steps"]
    different = {(s["case"], s["attempt"], s["step"]) for s in steps if s["parity"] == "different"}
    assert different == expected
    assert {d["field"] for s in steps for d in s["differences"]} == fields
    failed = {c["id"] for c in document["cases"] if c["verdict"] == "FAIL"}
    assert failed == {case for case, _, _ in expected}
    html = (tmp_path / "replay" / "index.html").read_text()
    assert "Parity with the recording" in html and "parity-steps" in html


def test_a_moto_server_recording_replays_against_the_reference(tmp_path: Path, moto_server: str) -> None:
    """moto implements none of the device operations: replayed on the reference, those steps differ."""
    path = tmp_path / "moto.json"
    recorded = record(moto_server, path, "PROTO-SUCCESS-BODY,VAL-STATUS-ENUM,FLOW-*")
    assert recorded.returncode == 1, recorded.stdout[-2000:]  # moto does not implement the device operations
    assert not tokens_in(path.read_text())
    done, document = replay(path, "reference")
    assert done.returncode == 1
    steps = document["parity"]["steps"]
    device_ops = [s for s in steps if s["what"] == "UpdateDeviceStatus" and s["parity"] != "not replayed"]
    assert device_ops and all(s["parity"] == "different" for s in device_ops)
    assert any(s["parity"] == "same" for s in steps)  # what moto does implement answers alike


# --- the parts ------------------------------------------------------------------------------------------


def _user(n: int, pool: Pool) -> User:
    user = User(username=f"ccf-run1-main-user-{n}", password="pw-secret-123", pool=pool)
    user.access_token = f"eyJhead.payload{n}.sig"
    user.devices.append(
        Device(
            key=f"us-east-1_dev{n}-0000",
            group_key=f"-group{n}",
            password="x",
            name=f"ccf-run1-main-device-{n}",
        )
    )
    return user


def test_names_are_given_in_the_order_values_are_made_and_go_both_ways() -> None:
    pool = Pool(id="us-east-1_AbCdEf123", client_id="client123456", name="ccf-run1-main-pool-1")
    names = Placeholders("us-east-1", "ccf-run1-main-", "run1-main")
    assert names.user(_user(1, pool)) == "<user-1>"
    names.tokens(names.objects["<user-1>"], Tokens("eyJhead.payload1b.sig"))
    text = json.dumps(
        {
            "AccessToken": "eyJhead.payload1b.sig",
            "DeviceKey": "us-east-1_dev1-0000",
            "UserPoolId": "us-east-1_AbCdEf123",
        }
    )
    abstract = names.abstract(text)
    assert (
        abstract
        == '{"AccessToken": "<user-1.access-2>", "DeviceKey": "<user-1.device-1>", "UserPoolId": "<pool-1>"}'
    )
    other = Placeholders("eu-west-1", "ccf-run2-main-", "run2-main")
    other.user(_user(7, Pool(id="eu-west-1_Zz", client_id="c2" * 4, name="ccf-run2-main-pool-1")))
    with pytest.raises(Unresolved, match=r"user-1\.access-2"):
        other.concrete(abstract)
    assert (
        other.concrete('{"K": "<user-1.device-1>", "R": "<region>_x"}')
        == '{"K": "us-east-1_dev7-0000", "R": "eu-west-1_x"}'
    )


def test_ids_a_target_makes_pair_up_one_to_one() -> None:
    a1, a2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    b1, b2 = "33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444"
    pairing = Pairing()
    assert pairing.same(f"owner/{a1}", f"owner/{b1}")
    assert pairing.same(a1, b1) and not pairing.same(a1, b2) and not pairing.same(a2, b1)
    assert not differences(
        {"status": 200, "body": {"Sub": a1}}, {"status": 200, "body": {"Sub": b1}}, pairing
    )
    found = differences({"status": 400, "body": {"__type": "A", "message": "m"}}, {"status": 200, "body": {}})
    assert [d.field for d in found] == ["status", "error type", "message", "body shape"]


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    not_a_recording = tmp_path / "x.json"
    not_a_recording.write_text('{"cases": []}')
    for args in (
        ("replay", str(not_a_recording)),
        ("replay", str(tmp_path / "missing.json")),
        ("evidence", str(not_a_recording)),
        ("run", "--record", str(tmp_path / "r.json"), "--workers", "2"),
    ):
        done = cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_evidence_prints_the_recorded_answers_to_the_open_questions(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    record("reference", path, "VAL-STATUS-OMITTED,VAL-UNKNOWN-MEMBER,STATE-NOT-REMEMBERED-KEEPS")
    done = cli("evidence", str(path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("## Recorded answers: reference us-east-1, ")
    assert "### UpdateDeviceStatus without DeviceRememberedStatus" in out
    assert '`UpdateDeviceStatus {"AccessToken": "<user-' in out and "→ HTTP 200 {}" in out
    assert "### AdminListDevices after not_remembered" in out
    assert "not in this recording" in out  # the questions of cases that were not run say so
    assert not tokens_in(out)
