"""Facts of the awsJson1_1 protocol that no model file states (aws-behaviour.md, "awsJson1_1")."""

from __future__ import annotations

from functools import cache

from .model import pinned

# Errors any operation may answer, besides the ones its model lists (aws-behaviour.md, item 7).
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


@cache
def documented_errors(operation: str) -> frozenset[str]:
    """The errors an operation may answer: its modeled ones and the protocol's common ones."""
    return frozenset(e.name for e in pinned().operation(operation).error_shapes) | COMMON_ERRORS
