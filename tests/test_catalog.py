"""The requirement catalog: complete, and every source checked against what it cites."""

import re
import shutil
from pathlib import Path

import pytest

from conformance.contract import paths
from conformance.contract.catalog import FAMILIES, catalog, load_catalog
from conformance.errors import ContractError

# DESIGN.md, "Requirements the catalog must cover": one id per item there.
DESIGN_ITEMS = [
    "VAL-ACCESSTOKEN-MISSING", "VAL-ACCESSTOKEN-NULL", "VAL-DEVICEKEY-MISSING", "VAL-DEVICEKEY-NULL",
    "VAL-ACCESSTOKEN-PATTERN", "VAL-DEVICEKEY-LENGTH", "VAL-DEVICEKEY-PATTERN", "VAL-STATUS-ENUM",
    "VAL-WRONG-TYPE", "VAL-MULTIPLE", "VAL-STATUS-OMITTED", "VAL-UNKNOWN-MEMBER", "VAL-NULL-AS-ABSENT",
    "AUTH-NOT-JWT", "AUTH-TAMPERED", "AUTH-EXPIRED", "AUTH-REVOKED", "AUTH-ID-TOKEN", "AUTH-NO-SCOPE",
    "AUTH-OTHER-POOL", "AUTH-IAM-ONLY", "AUTH-USER-DISABLED", "AUTH-USER-DELETED", "AUTH-USER-RESET",
    "RES-UNKNOWN-DEVICE", "RES-OTHER-USER-DEVICE", "RES-FORGOTTEN-DEVICE", "RES-OTHER-POOL-DEVICE",
    "STATE-REMEMBERED", "STATE-NOT-REMEMBERED-KEEPS", "STATE-REENABLE", "STATE-IDEMPOTENT",
    "STATE-ISOLATION", "STATE-USER-VIEW", "STATE-DEVICE-SIGNIN", "STATE-MACHINE",
    "PROTO-SUCCESS-BODY", "PROTO-CONTENT-TYPE", "PROTO-ERROR-TYPE", "PROTO-STATUS-SPLIT",
    "PROTO-ERROR-MESSAGE", "PROTO-REQUEST-ID", "PROTO-CHARSET", "PROTO-MALFORMED-JSON",
    "PROTO-WRONG-CONTENT-TYPE", "PROTO-UNKNOWN-TARGET", "PROTO-NO-5XX",
    "ERR-COVERAGE",
]  # fmt: skip


def test_catalog_covers_every_item_of_the_design() -> None:
    ids = {r.id for r in catalog().requirements}
    assert set(DESIGN_ITEMS) <= ids
    assert catalog().families() == list(FAMILIES)


def test_levels_follow_the_design() -> None:
    cat = catalog()
    assert (
        cat.get("VAL-STATUS-OMITTED").level == "INFO"
    )  # the model makes it optional; behaviour undocumented
    assert cat.get("RES-OTHER-USER-DEVICE").level == "MUST"  # a security property
    assert cat.get("PROTO-CONTENT-TYPE").level == "SHOULD"  # application/json is NON-STRICT


def test_error_table_names_exactly_the_modeled_errors() -> None:
    names = [e.error for e in catalog().errors]
    assert "OperationNotEnabledException" in names and len(names) == 11
    why_not = {e.error for e in catalog().errors if e.why_not}
    assert {"ForbiddenException", "OperationNotEnabledException", "InternalErrorException"} <= why_not


def specs_copy(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(paths.SPECS_DIR, target)
    return target


def mutate(tmp_path: Path, old: str, new: str) -> Path:
    specs = specs_copy(tmp_path)
    catalog_file = specs / "requirements.toml"
    text = catalog_file.read_text()
    assert old in text
    catalog_file.write_text(text.replace(old, new, 1))
    return catalog_file


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('level = "MUST"', 'level = "MUSTN\'T"', "level"),
        ('family = "validation"', 'family = "vibes"', "family"),
        ('id = "VAL-ACCESSTOKEN-MISSING"', 'id = "val missing"', "id must look like"),
        ('id = "VAL-ACCESSTOKEN-NULL"', 'id = "VAL-ACCESSTOKEN-MISSING"', "duplicate id"),
        (
            'ref = "shapes.DeviceKeyType.max"',
            'ref = "shapes.DeviceKeyType.maximum"',
            "does not exist in the pinned model",
        ),
        ('quote = "Authorize this action', 'quote = "Authorise this action', "quote not found"),
        ('kind = "seed"', 'kind = "rumour"', "source kind"),
        ('file = "aws-behaviour.md"', 'file = "nowhere.md"', "not in specs/sources"),
        ("[error.ForbiddenException]", "[error.MadeUpException]", "exactly the model's errors"),
        ('title = "A null DeviceKey is rejected"', 'title = ""', "missing or empty 'title'"),
        ("[[requirement]]\nid", "[[requirement]\nid", "not valid TOML"),
    ],
)
def test_malformed_catalog_is_one_clear_error(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ContractError, match=re.escape(message)) as caught:
        load_catalog(mutate(tmp_path, old, new))
    assert "\n" not in str(caught.value)


def test_a_family_without_requirements_is_an_error(tmp_path: Path) -> None:
    specs = specs_copy(tmp_path)
    catalog_file = specs / "requirements.toml"
    text = catalog_file.read_text().replace('family = "error-coverage"', 'family = "protocol"')
    catalog_file.write_text(text)
    with pytest.raises(ContractError, match="error-coverage"):
        load_catalog(catalog_file)
