"""A case or a check is defined once, naming a requirement the catalog has: anything else fails when its
module is imported, with one line (as Hypothesis's InvalidDefinition does), never at run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance.contract import idgen, ids
from conformance.contract.catalog import catalog
from conformance.engine.registry import CASES, case
from conformance.errors import InvalidDefinition
from conformance.judge.check import CHECKS, check, register

ROOT = Path(__file__).resolve().parents[2]


def _import(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    """Import a module holding `source` in a fresh interpreter, as the suite imports its case modules."""
    (tmp_path / "defined.py").write_text(source)
    env_path = f"{tmp_path}:{ROOT}"
    return subprocess.run(
        [sys.executable, "-c", "import defined"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize(
    ("source", "line"),
    [
        (
            "from conformance.engine.registry import case\n@case('VAL-STATUS-ENUMM')\ndef c(ctx): pass\n",
            "InvalidDefinition: case VAL-STATUS-ENUMM: unknown requirement id 'VAL-STATUS-ENUMM' "
            "(not in specs/requirements.toml)",
        ),
        (
            "from conformance.judge.check import check\n@check('PROTO-NO-500')\ndef seen(x): return 'x'\n",
            "InvalidDefinition: check seen: unknown requirement id 'PROTO-NO-500' "
            "(not in specs/requirements.toml)",
        ),
        (
            "from conformance.engine.registry import case\n"
            "@case('SCHEMATHESIS-X', requirement='PROTO-TYPO')\ndef c(ctx): pass\n",
            "InvalidDefinition: case SCHEMATHESIS-X: unknown requirement id 'PROTO-TYPO' "
            "(not in specs/requirements.toml)",
        ),
    ],
)
def test_an_unknown_requirement_id_fails_at_import_with_one_line(
    tmp_path: Path, source: str, line: str
) -> None:
    done = _import(tmp_path, source)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"conformance.errors.{line}"


def test_a_name_registered_twice_is_refused() -> None:
    with pytest.raises(InvalidDefinition, match="case RES-UNKNOWN-DEVICE: registered twice"):
        case(ids.RES_UNKNOWN_DEVICE)(lambda ctx: None)
    with pytest.raises(InvalidDefinition, match="check refused: registered twice"):
        register("refused", None, lambda requirement: None)


def test_an_oracle_refuses_a_requirement_the_catalog_does_not_have() -> None:
    @check()
    def oracle_for_this_test(requirement: str) -> str:
        return requirement

    try:
        assert oracle_for_this_test.judged((ids.STATE_REMEMBERED,)) == ids.STATE_REMEMBERED
        with pytest.raises(InvalidDefinition, match="unknown requirement id 'STATE-FORGOTTEN-X'"):
            oracle_for_this_test.judged(("STATE-FORGOTTEN-X",))
        with pytest.raises(InvalidDefinition, match="judges the requirement its caller names first"):
            oracle_for_this_test.judged(())
    finally:
        del CHECKS["oracle_for_this_test"]


def test_the_requirement_constants_are_fresh_and_complete() -> None:
    assert not idgen.is_stale(), "conformance/contract/ids.py is stale: run `cognito-conformance schemas`"
    assert {r.id for r in catalog().requirements} == ids.ALL
    assert all(getattr(ids, idgen.constant(i)) == i for i in ids.ALL)


def test_every_registered_case_and_check_names_a_catalog_requirement() -> None:
    assert CASES and CHECKS
    assert {c.requirement for c in CASES.values()} <= ids.ALL
    assert {c.requirement for c in CHECKS.values() if c.requirement is not None} <= ids.ALL
