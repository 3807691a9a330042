"""Reading results.json: parse, validate against results.schema.json, one-line errors (exit 2)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from conformance.contract.paths import SPECS_DIR
from conformance.errors import SuiteError
from conformance.secrets import redact

SCHEMA_FILE = SPECS_DIR / "results.schema.json"


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    try:
        schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SuiteError(f"cannot read the results schema {SCHEMA_FILE}: {exc}") from None
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


def validate_results(results: Any, source: str = "results") -> None:
    """Raise SuiteError naming the first problem if `results` does not match the schema."""
    errors = sorted(_validator().iter_errors(results), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        message = redact(first.message)[:200]
        raise SuiteError(f"{source} is not a valid results file: at {where}: {message}{more}")


def load_results(path: Path) -> dict[str, Any]:
    """Read and validate one results.json."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SuiteError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SuiteError(f"{path} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SuiteError(f"{path} is not JSON: {exc}") from None
    validate_results(data, str(path))
    if not isinstance(data, dict):  # the schema says object; this is for the type checker
        raise SuiteError(f"{path} is not a JSON object")
    return data
