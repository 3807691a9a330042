"""Facts of the awsJson1_1 protocol that no model file states (specs/sources/aws-behaviour.md,
"awsJson1_1")."""

from __future__ import annotations

from functools import cache

from .extract import OPERATION
from .model import pinned

# Errors any operation may answer, besides the ones its model lists (specs/sources/aws-behaviour.md, item 7).
COMMON_ERRORS = frozenset(
    {
        "SerializationException",
        "UnknownOperationException",
        "UnrecognizedClientException",
        "AccessDeniedException",
        "InternalFailure",
    }
)
SERVER_ERRORS = frozenset({"InternalErrorException", "InternalFailure"})
# What AWS answers a request to an IAM-authorized (SigV4) operation that carries no signature at all
# (specs/sources/iam-auth.md; judged by the Admin device operations' -AUTH-IAM requirements).
MISSING_AUTHENTICATION = "MissingAuthenticationTokenException"


@cache
def documented_errors(operation: str) -> frozenset[str]:
    """The errors an operation may answer: its modeled ones and the protocol's common ones, and for an
    IAM-authorized operation the refusal of a request without a signature."""
    model = pinned().operation(operation)
    unsigned = frozenset({MISSING_AUTHENTICATION}) if model.auth_type != "none" else frozenset()
    return frozenset(e.name for e in model.error_shapes) | COMMON_ERRORS | unsigned


def content_type() -> str:
    """The request and response media type: `application/x-amz-json-` and the model's jsonVersion."""
    return f"application/x-amz-json-{pinned().service.metadata['jsonVersion']}"


def target(operation: str = OPERATION) -> str:
    """The X-Amz-Target that names an operation: the model's targetPrefix, a dot, the operation."""
    return f"{pinned().service.metadata['targetPrefix']}.{operation}"
