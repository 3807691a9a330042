"""The mutant generator (conformance/reference/mutants.py) checked on its own, without the suite's checks.

Its products are counted, named and tied to the catalog (read here with tomllib, not through the
contract's loader); every product answers a few requests without failing; and for a fixed sample of 12
products, each served over HTTP and provisioned like a run would (`Provisioner` over `open_target(url)`),
the same script is played against the plain reference and the mutant: the reference answers as
documented, the mutant shows its mistake.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.provisioning import Provisioner, User, device_confirmation, made_up_device_key
from conformance.reference import ReferenceBackend, start_server
from conformance.reference.mutants import MUTANTS, NOT_GENERATED, SKIPPED, MutantBackend, mutants
from conformance.targets import Exchange, Target, open_target

CATALOG = Path(__file__).resolve().parents[2] / "specs" / "requirements.toml"
PREFIX = "AWSCognitoIdentityProviderService."
KINDS = (
    "refusal-applied",
    "refusal-dropped",
    "wrong-error-type",
    "wrong-message",
    "state",
    "secret-echo",
    "protocol",
)


def _catalog() -> dict[str, dict[str, Any]]:
    """UpdateDeviceStatus's requirements (specs/requirements.toml), then the other operations' (each
    naming its `operation`, specs/requirements/*.toml), read as written."""
    found = {
        r["id"]: {"operation": "UpdateDeviceStatus", **r}
        for r in tomllib.loads(CATALOG.read_text())["requirement"]
    }
    for path in sorted((CATALOG.parent / "requirements").glob("*.toml")):
        found.update({r["id"]: r for r in tomllib.loads(path.read_text())["requirement"]})
    return found


# --- the generator itself ----------------------------------------------------------------------------------


def test_at_least_60_products_with_unique_names_in_a_fixed_order() -> None:
    names = [m.name for m in mutants()]
    assert len(names) >= 60
    assert len(set(names)) == len(names)
    assert names == [m.name for m in mutants()] == list(MUTANTS)


def test_every_product_names_one_requirement_of_the_catalog() -> None:
    catalog = _catalog()
    for m in mutants():
        assert m.requirement in catalog, m.name
        assert m.mistake and "\n" not in m.mistake, m.name
        assert m.name.startswith(f"{m.kind}:{m.operation}:"), m.name


def test_levels_are_the_catalogs() -> None:
    """The requirement's level, except where the catalog makes the part broken a SHOULD."""
    catalog = _catalog()
    for m in mutants():
        r = catalog[m.requirement]
        if m.kind == "wrong-message":
            expected = "SHOULD"  # "the message a SHOULD"
        elif m.kind == "wrong-error-type" and "expect_level" in r:
            expected = r["expect_level"]
        elif m.name == "protocol:UpdateDeviceStatus:error-type-disagrees":
            expected = "SHOULD"  # "a disagreement is NON-STRICT"
        elif m.name.endswith(":integer-token"):
            expected = "SHOULD"  # a forged token that shows no one else's device breaks the refusal only
        else:
            expected = r["level"]
        assert m.level == expected, m.name


def test_every_kind_is_generated_and_the_catalog_is_covered() -> None:
    catalog, products = _catalog(), mutants()
    assert {m.kind for m in products} >= set(KINDS)
    covered = {m.requirement for m in products}
    assert covered.isdisjoint(NOT_GENERATED)
    assert covered | set(NOT_GENERATED) == set(catalog)
    assert all(r in catalog for _, _, r, _ in SKIPPED)
    assert all(reason for reason in NOT_GENERATED.values())
    # Every refusal the catalog documents, for each operation, is dropped, retyped and (if it has one)
    # reworded by some product.
    for r in catalog.values():
        if r.get("expect") and r["family"] in ("validation", "authorization", "resources"):
            if r["id"] in ("VAL-MULTIPLE", "VAL-MESSAGE-FORMAT", "VAL-SENSITIVE-NOT-ECHOED"):
                continue
            op = r["operation"]
            assert f"refusal-dropped:{op}:{r['id']}" in MUTANTS
            assert f"wrong-error-type:{op}:{r['id']}" in MUTANTS
            if r.get("message"):
                assert f"wrong-message:{op}:{r['id']}" in MUTANTS


def test_unknown_mutant_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mutant"):
        MutantBackend("no-such-mutant")


_JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}
_SMOKE: list[tuple[str | None, bytes, dict[str, str]]] = [
    (PREFIX + "UpdateDeviceStatus", b"{}", _JSON_HEADERS),
    (PREFIX + "UpdateDeviceStatus", b"not json", _JSON_HEADERS),
    (PREFIX + "UpdateDeviceStatus", b"{}", {"Content-Type": "text/plain"}),
    (
        PREFIX + "UpdateDeviceStatus",
        b'{"AccessToken": "x", "DeviceKey": "us-east-1_0", "Extra": 1}',
        _JSON_HEADERS,
    ),
    (PREFIX + "GetDevice", b'{"AccessToken": "x.y.z", "DeviceKey": "us-east-1_0"}', _JSON_HEADERS),
    (PREFIX + "ConfirmDevice", b'{"AccessToken": "x", "DeviceKey": "us-east-1_0"}', _JSON_HEADERS),
    (PREFIX + "NoSuchOperation", b"{}", _JSON_HEADERS),
    (None, b"{}", _JSON_HEADERS),
]


def test_every_product_answers_requests_it_does_not_touch_like_awsjson() -> None:
    for m in mutants():
        backend = MutantBackend(m.name)
        for target, body, headers in _SMOKE:
            status, out_headers, payload = backend.handle(target, body, headers)
            assert 200 <= status < 600, m.name
            assert isinstance(out_headers, dict) and isinstance(payload, bytes), m.name


# --- a sample of products, served and compared with the plain reference ------------------------------------


@dataclass
class Served:
    target: Target
    prov: Provisioner


@contextmanager
def _served(backend: ReferenceBackend) -> Iterator[Served]:
    running = start_server(backend, "127.0.0.1", 0)
    target = open_target(running.url, region="us-east-1")
    prov = Provisioner(target, run_id="m")
    try:
        yield Served(target, prov)
    finally:
        prov.close()
        target.close()
        running.stop()


@pytest.fixture(scope="module")
def plain() -> Iterator[Served]:
    with _served(ReferenceBackend()) as served:
        yield served


def _update(s: Served, token: str, key: Any, status: Any = "not_remembered") -> Exchange:
    params = {"AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": status}
    return s.target.call("UpdateDeviceStatus", params)


def _status(s: Served, user: User, key: str) -> str | None:
    params = {"UserPoolId": user.pool.id, "Username": user.username, "DeviceKey": key}
    device = (s.target.call("AdminGetDevice", params).json or {}).get("Device") or {}
    return {a["Name"]: a["Value"] for a in device.get("DeviceAttributes", [])}.get(
        "dev:device_remembered_status"
    )


def _refusal(ex: Exchange) -> tuple[int | None, str | None, str | None]:
    return ex.status, ex.error_type, ex.message


def expired_token(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=1)
    key = user.devices[0].key
    ex = _update(s, s.prov.minted_token(user, "expired"), key)
    return (*_refusal(ex), _status(s, user, key))


def other_users_device(s: Served) -> tuple[Any, ...]:
    caller, owner = s.prov.user(devices=1), s.prov.user(devices=1)
    key = owner.devices[0].key
    return (*_refusal(_update(s, caller.access_token, key)), _status(s, owner, key))


def status_out_of_enum(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=1)
    key = user.devices[0].key
    assert _update(s, user.access_token, key, "not_remembered").ok
    ex = _update(s, user.access_token, key, "REMEMBERED")
    return ex.status, ex.error_type, _status(s, user, key)


def get_other_users_device(s: Served) -> tuple[Any, ...]:
    caller, owner = s.prov.user(devices=1), s.prov.user(devices=1)
    key = owner.devices[0].key
    ex = s.target.call("GetDevice", {"AccessToken": caller.access_token, "DeviceKey": key})
    return ex.status, ex.error_type, ((ex.json or {}).get("Device") or {}).get("DeviceKey") == key


def unknown_device(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=1)
    return _refusal(_update(s, user.access_token, made_up_device_key("us-east-1")[0]))


def not_a_jwt(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=1)
    return _refusal(_update(s, "not-a-jwt", user.devices[0].key))


def users_other_device(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=2)
    first, second = (d.key for d in user.devices)
    ex = _update(s, user.access_token, first, "not_remembered")
    return ex.status, _status(s, user, first), _status(s, user, second)


def listed_after_not_remembered(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=2)
    assert _update(s, user.access_token, user.devices[0].key, "not_remembered").ok
    ex = s.target.call("ListDevices", {"AccessToken": user.access_token})
    return ex.status, len((ex.json or {}).get("Devices", []))


def token_in_header(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=1)
    ex = _update(s, user.access_token, "no-underscore", "remembered")
    in_headers = any(user.access_token in value for value in ex.headers.values())
    return ex.status, ex.error_type, in_headers, user.access_token.encode() in ex.body


def verifier_in_field(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=1)
    key, group = made_up_device_key("us-east-1")
    params, _ = device_confirmation(user.access_token, key, group, name="made-up")
    verifier = params["DeviceSecretVerifierConfig"]["PasswordVerifier"]
    ex = s.target.call("ConfirmDevice", params)
    return (*_refusal(ex), verifier.encode() in ex.body)


def unknown_device_status_code(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=1)
    ex = _update(s, user.access_token, made_up_device_key("us-east-1")[0])
    return ex.status, ex.error_type


def null_status(s: Served) -> tuple[Any, ...]:
    user = s.prov.user(devices=1)
    key = user.devices[0].key
    body = {"AccessToken": user.access_token, "DeviceKey": key, "DeviceRememberedStatus": None}
    headers = {**_JSON_HEADERS, "X-Amz-Target": PREFIX + "UpdateDeviceStatus"}
    ex = s.target.send_raw(headers, json.dumps(body).encode(), operation="UpdateDeviceStatus")
    return ex.status, ex.error_type, _status(s, user, key)


IPE, NAE, RNF = "InvalidParameterException", "NotAuthorizedException", "ResourceNotFoundException"
GONE = "Device does not exist."
# (product, script, what the plain reference shows, what the product shows instead)
SAMPLE: list[tuple[str, Callable[[Served], tuple[Any, ...]], tuple[Any, ...], tuple[Any, ...]]] = [
    (
        "refusal-applied:UpdateDeviceStatus:AUTH-EXPIRED",
        expired_token,
        (400, NAE, "Access Token has expired", "remembered"),
        (400, NAE, "Access Token has expired", "not_remembered"),
    ),
    (
        "refusal-applied:UpdateDeviceStatus:RES-OTHER-USER-DEVICE",
        other_users_device,
        (400, RNF, GONE, "remembered"),
        (400, RNF, GONE, "not_remembered"),
    ),
    (
        "refusal-dropped:UpdateDeviceStatus:VAL-STATUS-ENUM",
        status_out_of_enum,
        (400, IPE, "not_remembered"),
        (200, None, "not_remembered"),
    ),
    (
        "refusal-dropped:GetDevice:RES-OTHER-USER-DEVICE",
        get_other_users_device,
        (400, RNF, False),
        (200, None, True),
    ),
    (
        "wrong-error-type:UpdateDeviceStatus:RES-UNKNOWN-DEVICE",
        unknown_device,
        (400, RNF, GONE),
        (400, NAE, GONE),
    ),
    (
        "wrong-message:UpdateDeviceStatus:AUTH-NOT-JWT",
        not_a_jwt,
        (400, NAE, "Invalid Access Token"),
        (400, NAE, "Access token is invalid."),
    ),
    (
        "state:UpdateDeviceStatus:status-on-users-other-devices",
        users_other_device,
        (200, "not_remembered", "remembered"),
        (200, "not_remembered", "not_remembered"),
    ),
    ("state:ListDevices:lists-not-remembered", listed_after_not_remembered, (200, 1), (200, 2)),
    (
        "secret-echo:UpdateDeviceStatus:access-token-in-header",
        token_in_header,
        (400, IPE, False, False),
        (400, IPE, True, False),
    ),
    (
        "secret-echo:ConfirmDevice:device-verifier-in-field",
        verifier_in_field,
        (400, IPE, "Invalid device key given.", False),
        (400, IPE, "Invalid device key given.", True),
    ),
    ("protocol:UpdateDeviceStatus:not-found-as-404", unknown_device_status_code, (400, RNF), (404, RNF)),
    (
        "valid-refused:UpdateDeviceStatus:VAL-NULL-AS-ABSENT",
        null_status,
        (200, None, "remembered"),
        (400, IPE, "remembered"),
    ),
]


def test_the_sample_is_12_products_of_every_listed_kind() -> None:
    assert len(SAMPLE) == 12
    assert all(name in MUTANTS for name, *_ in SAMPLE)
    assert {MUTANTS[name].kind for name, *_ in SAMPLE} >= set(KINDS)


@pytest.mark.parametrize(("name", "script", "documented", "broken"), SAMPLE, ids=[s[0] for s in SAMPLE])
def test_the_product_shows_its_mistake_where_the_reference_does_not(
    plain: Served,
    name: str,
    script: Callable[[Served], tuple[Any, ...]],
    documented: tuple[Any, ...],
    broken: tuple[Any, ...],
) -> None:
    assert script(plain) == documented
    with _served(MutantBackend(name)) as served:
        assert script(served) == broken
