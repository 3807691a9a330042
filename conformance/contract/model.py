"""Load the pinned model extract and hand it out as botocore model objects."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from botocore.model import OperationModel, ServiceModel

from ..errors import ContractError
from . import paths
from .extract import OPERATION, canonical_sha256


@dataclass(frozen=True)
class PinnedModel:
    botocore_version: str
    api_version: str
    sha256: str
    model: dict[str, Any]

    @cached_property
    def service(self) -> ServiceModel:
        return ServiceModel(self.model, service_name="cognito-idp")

    def operation(self, name: str = OPERATION) -> OperationModel:
        return self.service.operation_model(name)


def load_pinned(path: Path | None = None) -> PinnedModel:
    """The pinned extract, its hash checked; a missing or altered file is a ContractError."""
    path = path or paths.EXTRACT_FILE
    try:
        document = json.loads(path.read_text())
        model = document["model"]
        declared = document["sha256"]
        source = document["source"]
    except FileNotFoundError:
        raise ContractError(f"pinned model not found: {path} (run `cognito-conformance extract`)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ContractError(f"pinned model {path} is malformed: {exc}") from None
    actual = canonical_sha256(model)
    if actual != declared:
        raise ContractError(
            f"pinned model {path} does not match its sha256 (declared {declared[:12]}, got {actual[:12]})"
        )
    return PinnedModel(
        botocore_version=str(source["botocore_version"]),
        api_version=str(source["api_version"]),
        sha256=declared,
        model=model,
    )


@cache
def pinned() -> PinnedModel:
    """The default pinned model, loaded once per process."""
    return load_pinned()
