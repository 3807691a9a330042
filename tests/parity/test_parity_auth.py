"""Replay compares what matters, for auth and state faults too: a request with a forged token is forged
again for the replay's target by the recorded recipe and sent, a re-performed sign-in is compared by how
it went (its challenges, where it stopped, the error type), and a target that accepts forged tokens,
skips the device challenges or loses a device's state shows a difference on that case's steps, and
nowhere else. A recording holds no forged token, as it holds no real one."""

from __future__ import annotations

import json
import subprocess
from base64 import urlsafe_b64encode
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from conformance.cases.forgery import FORGERIES, RECIPES, alg_none, payload_swap
from conformance.parity.compare import made_differences
from conformance.parity.placeholders import FORGED, Placeholders, Unresolved
from conformance.provisioning.model import Pool, User
from conformance.reference import ReferenceBackend
from conformance.reference.faults import FaultyBackend
from tests.engine.conftest import cli, serving
from tests.leaks import tokens_in

Step = dict[str, Any]
Key = tuple[str, int, int]
# fault -> the case whose steps it changes (an auth fault, one of the device sign-in, state faults)
FAULTS = {
    "alg-none-accepted": "AUTH-TAMPERED",
    "payload-swap-accepted": "AUTH-TAMPERED",
    "tampered-token-still-updates": "AUTH-TAMPERED",
    "issuer-not-checked": "AUTH-OTHER-POOL",
    "device-challenges-skipped": "STATE-DEVICE-SIGNIN",
    "status-not-persisted": "STATE-NOT-REMEMBERED-KEEPS",
    "updates-every-device": "STATE-ISOLATION",
}
READS = {"AdminGetDevice", "AdminListDevices", "GetDevice", "ListDevices"}
Shows = Callable[[list[dict[str, Any]]], bool]
SIGNIFICANT = 16  # a token's segment this long is that token's (its payload, its signature)


class TokenWitness(ReferenceBackend):
    """The reference, keeping every AccessToken it was sent (the forged ones too)."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()

    def handle(
        self, target: str | None, body: bytes, headers: Mapping[str, str], *, source_ip: str = "127.0.0.1"
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            params = json.loads(body)
        except ValueError:
            params = None
        if isinstance(params, dict) and isinstance(params.get("AccessToken"), str):
            self.tokens.add(params["AccessToken"])
        return super().handle(target, body, headers, source_ip=source_ip)


@dataclass
class Recording:
    path: Path
    steps: list[Step]
    sent: set[str]  # every access token the recorded run sent, forged ones included


def _record(path: Path, cases: str) -> Recording:
    """A small run against the conformant reference (served, to see what it is sent), recorded."""
    witness = TokenWitness()
    with serving(witness) as url:
        report = str(path.parent / f"run-{path.stem}")
        done = cli("run", "--target", url, "--record", str(path), "--report-dir", report, "--case", cases)
    assert done.returncode == 0, done.stdout[-2000:]
    return Recording(path, _steps(path), witness.tokens)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """Every case these tests replay, in one recording (a few seconds)."""
    return _record(tmp_path_factory.mktemp("auth") / "all.json", ",".join(sorted(set(FAULTS.values()))))


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Recording]:
    """A recording of one case alone, made once: a fault that changes a shared fixture (AUTH-TAMPERED's
    user) would show in the next case too, as it should, and this test wants each case's own steps."""
    made: dict[str, Recording] = {}
    folder = tmp_path_factory.mktemp("each")

    def of(case: str) -> Recording:
        if case not in made:
            made[case] = _record(folder / f"{case}.json", case)
        return made[case]

    return of


def _steps(path: Path) -> list[Step]:
    return [s for s in json.loads(path.read_text())["steps"] if s["case"] != "(run)"]


def _replay(
    recording: Recording, server: AbstractContextManager[str], name: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], Path]:
    report = recording.path.parent / f"replay-{name}"
    with server as url:
        done = cli("replay", str(recording.path), "--target", url, "--report-dir", str(report))
    return done, json.loads((report / "results.json").read_text()), report


def _key(step: Step) -> Key:
    return step["case"], step["attempt"], step["step"]


def _forged(step: Step) -> bool:
    return step["kind"] == "request" and "<forged:" in step["request"]["body"]


def _forged_with(recipe: str) -> Callable[[Step], bool]:
    return lambda s: _forged(s) and f'"<forged:{recipe}:' in s["request"]["body"]


def _each(predicate: Callable[[Step], bool]) -> Callable[[list[Step]], set[Key]]:
    return lambda steps: {_key(s) for s in steps if predicate(s)}


def _nothing(steps: list[Step]) -> set[Key]:
    return set()


def _update(step: Step) -> bool:
    return bool(step["kind"] == "request" and step["operation"] == "UpdateDeviceStatus")


def _namesakes_update(steps: list[Step]) -> set[Key]:
    """The update sent with the token of AUTH-OTHER-POOL's namesake (a user of the second pool named as
    the device's owner)."""
    made = [
        s["action"]["made"] for s in steps if s["kind"] == "action" and "namesake" in s["action"]["kwargs"]
    ]
    return {
        _key(s)
        for s in steps
        if _update(s) and any(f'"{m[:-1]}.access-' in s["request"]["body"] for m in made)
    }


def _device_sign_in(step: Step) -> bool:
    action = step.get("action") or {}
    return step["kind"] == "action" and action.get("name") == "sign_in_trace" and "device" in action["kwargs"]


def _read(step: Step) -> bool:
    return step["kind"] == "request" and step["operation"] in READS


def _or_read(predicate: Callable[[Step], bool]) -> Callable[[Step], bool]:
    return lambda s: predicate(s) or _read(s)


def _fields(*names: str) -> Shows:
    return lambda found: set(names) <= {d["field"] for d in found}


def _status_flips(found: list[dict[str, Any]]) -> bool:
    """Every difference is a device's remembered status read back as the other one."""
    return all({d["recorded"], d["replayed"]} == {"remembered", "not_remembered"} for d in found)


# fault -> (the steps of its case's recording that must differ, the steps every difference must be
#           among, what the differences show)
INJECTED: dict[str, tuple[Callable[[list[Step]], set[Key]], Callable[[Step], bool], Shows]] = {
    # An auth fault a replay sees only when it forges the request's token again and sends it; the
    # device it then changed is read back changed.
    "alg-none-accepted": (
        _each(_forged_with("alg_none")),
        _or_read(_forged_with("alg_none")),
        _fields("status", "error type"),
    ),
    # Only a token forged from the replay's own tokens carries a signature this target issued.
    "payload-swap-accepted": (
        _each(_forged_with("payload_swap")),
        _or_read(_forged_with("payload_swap")),
        _fields("status", "error type"),
    ),
    # Refused as documented, and the device changed anyway: the read-backs differ.
    "tampered-token-still-updates": (_nothing, _read, _status_flips),
    # A genuine token of another pool, its user named as the owner: sent again with the replay's own.
    "issuer-not-checked": (_namesakes_update, _or_read(_update), _fields("status", "error type")),
    # Tokens come all the same: only how the sign-in went tells.
    "device-challenges-skipped": (
        _each(_device_sign_in),
        _device_sign_in,
        _fields("made.challenges", "made.stopped_at", "made.error_type"),
    ),
    "status-not-persisted": (_nothing, _read, _status_flips),
    "updates-every-device": (_nothing, _read, _status_flips),
}


def test_the_recording_names_each_forgery_by_its_recipe_and_holds_none(recording: Recording) -> None:
    forged = [s for s in recording.steps if _forged(s)]
    recipes = {m.group(1) for s in forged for m in FORGED.finditer(s["request"]["body"])}
    assert recipes == set(RECIPES) and len(RECIPES) == len(FORGERIES)
    assert all(s["replayable"] for s in forged)
    text = recording.path.read_text()
    sent = {t for t in recording.sent if t.count(".") == 2}
    assert len(sent) > len(RECIPES)  # the forged ones were sent, not only the users' own
    leaked = sorted(
        part[:8] + "..."
        for token in sent
        for part in token.split(".")
        if len(part) >= SIGNIFICANT and part in text
    )
    assert not leaked, leaked[:5]
    assert not tokens_in(text)


def test_replayed_against_the_reference_every_forgery_is_sent_again_in_full_parity(
    recording: Recording,
) -> None:
    witness = TokenWitness()
    done, document, report = _replay(recording, serving(witness), "reference")
    assert done.returncode == 0, done.stdout[-3000:]
    parity = document["parity"]
    assert parity["full"] and parity["counts"]["different"] == 0
    steps = {(s["case"], s["attempt"], s["step"]): s for s in parity["steps"]}
    forged = [_key(s) for s in recording.steps if _forged(s)]
    assert len(forged) == len(RECIPES)
    assert all(steps[k]["parity"] == "same" for k in forged)
    assert all(steps[_key(s)]["parity"] == "same" for s in recording.steps if _device_sign_in(s))
    # The replay forged its own: sent to its target, in none of what it wrote.
    replayed_forgeries = witness.tokens - recording.sent
    assert len(replayed_forgeries) >= len(RECIPES)
    outputs = [done.stdout, done.stderr, *(p.read_text() for p in report.iterdir() if p.is_file())]
    assert not [o for o in outputs for t in replayed_forgeries if t in o]
    assert not [tokens_in(o) for o in outputs if tokens_in(o)]


@pytest.mark.parametrize("fault", sorted(INJECTED))
def test_an_auth_or_state_fault_differs_on_its_cases_steps_and_the_replay_fails(
    fault: str, recordings: Callable[[str], Recording]
) -> None:
    case, (must, only, shows) = FAULTS[fault], INJECTED[fault]
    recording = recordings(case)
    done, document, _ = _replay(recording, serving(FaultyBackend(fault)), fault)
    assert done.returncode == 1, done.stdout[-3000:]
    steps = document["parity"]["steps"]
    different = {(s["case"], s["attempt"], s["step"]) for s in steps if s["parity"] == "different"}
    assert different, "the fault changed nothing in the replay"
    assert {k for k in different if k[0] != case} == set()  # nowhere else
    assert must(recording.steps) <= different
    assert different <= {_key(s) for s in recording.steps if only(s)}
    assert shows([d for s in steps for d in s["differences"]])
    failed = {c["id"] for c in document["cases"] if c["verdict"] == "FAIL"}
    assert failed == {case}
    assert "0 not replayed" in done.stdout  # forgeries included: every request was sent again


# --- the parts ------------------------------------------------------------------------------------------


def _jwt(claims: dict[str, Any], signature: str) -> str:
    def part(value: dict[str, Any]) -> str:
        return urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'k1'})}.{part(claims)}.{signature}"


def _side(n: int) -> tuple[Placeholders, User, User]:
    """One side of a replay: a pool, two users with their genuine tokens, named."""
    pool = Pool(id=f"us-east-1_Pool{n}", client_id=f"client{n}" * 3, name=f"ccf-run{n}-pool-1")
    names = Placeholders("us-east-1", f"ccf-run{n}-", f"run{n}")
    users = []
    for i in (1, 2):
        user = User(username=f"ccf-run{n}-user-{i}", password="pw-secret-123", pool=pool)
        user.access_token = _jwt({"username": user.username, "token_use": "access"}, f"sig{n}{i}" * 6)
        names.user(user)
        users.append(user)
    return names, users[0], users[1]


def test_a_forgery_is_named_by_its_recipe_and_forged_again_from_the_other_sides_tokens() -> None:
    names, a, b = _side(1)
    forged = payload_swap(a.access_token, b.access_token)
    names.forged(forged, "payload_swap", (a.access_token, b.access_token))
    body = names.abstract(json.dumps({"AccessToken": forged}))
    assert body == '{"AccessToken": "<forged:payload_swap:user-1.access-1,user-2.access-1>"}'
    other, a2, b2 = _side(2)
    assert json.loads(other.concrete(body))["AccessToken"] == payload_swap(a2.access_token, b2.access_token)
    # A recipe's unused token is "", and a budgeted run's empty `other` stays empty.
    names.forged(alg_none(a.access_token, ""), "alg_none", (a.access_token, ""))
    assert names.abstract(alg_none(a.access_token, "")) == "<forged:alg_none:user-1.access-1,>"
    assert other.concrete("<forged:alg_none:user-1.access-1,>") == alg_none(a2.access_token, "")


def test_a_forgery_a_replay_cannot_make_is_unresolved_never_run() -> None:
    names, a, _ = _side(1)
    for name in (
        "<forged:__import__:user-1.access-1,>",  # a recording names only forgery.py's recipes
        "<forged:alg_none:user-9.access-1,>",  # a token this side has no counterpart of
        "<forged:alg_none:user-1.access-1>",  # not the recipes' two tokens
    ):
        with pytest.raises(Unresolved):
            names.concrete(name)
    # A forgery of a value with no name stays a secret: its request is not sent again.
    stranger = _jwt({"username": "nobody"}, "sig" * 8)
    forged = alg_none(stranger, "")
    names.forged(forged, "alg_none", (stranger, ""))
    assert names.abstract(forged) == forged
    # A side whose token is no JWT cannot forge from it.
    a.access_token = "opaque-token-value"
    other = Placeholders("us-east-1", "ccf-run3-", "run3")
    other.user(a)
    with pytest.raises(Unresolved):
        other.concrete("<forged:bad_signature:user-1.access-1,>")


def test_a_namesake_in_another_pool_is_a_user_of_its_own_and_an_impostor_is_not() -> None:
    """AUTH-OTHER-POOL's namesake has tokens of its own, which a replay sends again with its own."""
    names, a, _ = _side(1)
    namesake = User(username=a.username, password="other-pw-123", pool=Pool("us-east-1_Two", "c2" * 5))
    namesake.access_token = _jwt({"username": a.username, "token_use": "access"}, "namesake" * 4)
    assert names.name_of(namesake) == "<user-3>"
    assert names.abstract(namesake.access_token) == "<user-3.access-1>"
    assert names.name_of(replace(a, password="wrong-pw-123")) == "<user-1>!wrong-password"


def test_a_sign_in_is_compared_by_how_it_went_not_by_its_tokens_name_alone() -> None:
    full = ["PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]
    recorded = {"access_token": "<user-1.access-2>", "challenges": full}
    assert made_differences(recorded, {**recorded}) == []
    skipped = made_differences(recorded, {"access_token": "<user-1.access-2>", "challenges": full[:1]})
    assert [d.field for d in skipped] == ["made.challenges"]
    trace = {**recorded, "access_token": None, "stopped_at": full[-1], "error_type": "NotAuthorizedException"}
    given = {**recorded, "access_token": "<user-1.access-3>", "stopped_at": None, "error_type": None}
    assert [d.field for d in made_differences(trace, given)] == [
        "made.access_token",
        "made.stopped_at",
        "made.error_type",
    ]
    # An older recording kept the token's name alone: that is all it can be compared on.
    assert made_differences({"access_token": "<user-1.access-2>"}, recorded) == []
    assert [d.field for d in made_differences("<user-1>", "<user-2>")] == ["made"]
