"""An OpenAPI 3.1 document of the awsJson1_1 face of UpdateDeviceStatus and the device flow.

Derived by code from the pinned model, like `specs/schemas/`: request bodies are the same JSON Schemas
(`schemas.shape_schema`, the Java-regex dialect handled), the Content-Type's JSON version and the
X-Amz-Target prefix come from the model's metadata, the errors from the model and `awsjson`.
`specs/openapi.json` is this document; a test fails when it differs from what `openapi_document()` makes
(`cognito-conformance openapi > specs/openapi.json` regenerates it, `openapi --check` checks it).

Paths. awsJson1_1 sends every operation as `POST /`, told apart by the `X-Amz-Target` header, and
OpenAPI allows one operation per path and method. The document uses the workaround of APIs-guru's
openapi-directory (aws2openapi): operation X lives at `/#X-Amz-Target=<prefix>.X`. Everything after
`#` is a fragment, which a client never sends (RFC 3986, section 3.5): requests, curl and schemathesis
put `POST /` on the wire: the model's `http` of every operation, and the only path the reference routes
(it answers 404 to any other). Alternatives rejected: real paths per operation (`/UpdateDeviceStatus`)
reach the server and get a 404 from the reference; a query (`/?Action=X`) reaches it too, and what AWS
does with one is undocumented; a single `POST /` with a `oneOf` body and an enum header lets a generator
pair one operation's target with another operation's body; one document per operation loses the single
`st run`. The header is a required parameter whose value is a `const`: the operation is told apart where
it matters, on the wire.

schemathesis. It sends and parses JSON only for `application/json`-like media types, so
`register_schemathesis()` registers the awsJson1_1 type as JSON, both ways. `st run` does that when this
module is its hooks module: `SCHEMATHESIS_HOOKS=conformance.contract.openapi st run ...` (README).

Errors. 400 and 500 carry `{"__type", "message"}` bodies: the operation's modeled errors and awsJson1_1's
common ones (`awsjson.documented_errors`), 500 for `awsjson.SERVER_ERRORS`. `__type` may be namespaced
(`aws.cognito#X`) or suffixed (`X:http://...`), as the protocol allows, and may be absent when
`x-amzn-ErrorType` names the type (PROTO-ERROR-TYPE), so it is constrained, not required.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from botocore.model import OperationModel, Shape

from . import paths
from .awsjson import SERVER_ERRORS, content_type, documented_errors, target
from .extract import DEVICE_OPERATIONS
from .model import pinned
from .schemas import DIALECT, render, shape_schema

OPENAPI_VERSION = "3.1.0"
OPENAPI_FILE = paths.SPECS_DIR / "openapi.json"
# The device operations, and the sign-in that issues a device (NewDeviceMetadata) and proves one.
OPENAPI_OPERATIONS = (*DEVICE_OPERATIONS, "InitiateAuth", "RespondToAuthChallenge")
SIGV4 = "sigv4"
_NO_AUTH = "smithy.api#noAuth"


def operation_path(operation: str) -> str:
    """The document's path for an operation: its requestUri (`/`) and a fragment no client sends."""
    return f"{pinned().operation(operation).http['requestUri']}#X-Amz-Target={target(operation)}"


def error_type_pattern(names: list[str]) -> str:
    """A pattern for the raw error type of one of `names`, as awsJson1_1 sanitises it.

    The sanitised type is the part before the first ':', then the part after the last '#'
    (`targets.exchange`), so a namespace before '#' and anything after ':' are allowed.
    """
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    return f"^(?:[^:]*#)?(?:{alternatives})(?::[\\s\\S]*)?(?![\\s\\S])"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_schema(name: str, shape: Shape | None) -> dict[str, Any]:
    # A modeled error keeps its members (InvalidParameterException's reasonCode); a common error, which no
    # shape describes, has the protocol's `message` only.
    schema: dict[str, Any] = (
        shape_schema(shape, strict=False)
        if shape is not None
        else {"type": "object", "properties": {"message": {"type": ["string", "null"]}}}
    )
    schema["properties"] = {
        "__type": {"type": "string", "pattern": error_type_pattern([name])},
        **schema["properties"],
    }
    return schema


def _headers(errors: list[str] | None) -> dict[str, Any]:
    headers: dict[str, Any] = {
        "x-amzn-RequestId": {
            "description": "The request id (PROTO-REQUEST-ID, a SHOULD: not required here).",
            "required": False,
            "schema": {"type": "string"},
        }
    }
    if errors:
        headers["x-amzn-ErrorType"] = {
            "description": "The error type; clients read it before the body's __type.",
            "required": False,
            "schema": {"type": "string", "pattern": error_type_pattern(errors)},
        }
    return headers


def _error_response(status: int, errors: list[str], media: str) -> dict[str, Any]:
    return {
        "description": f"HTTP {status}: {', '.join(errors)}",
        "headers": _headers(errors),
        "content": {media: {"schema": {"anyOf": [_ref(n) for n in errors]}}},
    }


def _operation(op: OperationModel, media: str) -> dict[str, Any]:
    errors = sorted(documented_errors(op.name))
    client = [e for e in errors if e not in SERVER_ERRORS]
    server = [e for e in errors if e in SERVER_ERRORS]
    output = _ref(op.output_shape.name) if op.output_shape is not None else {"type": "object"}
    # botocore's reading of the operation's `authtype` / `auth` (op.metadata is the service's).
    unsigned = op.auth_type == "none" or _NO_AUTH in (op.auth or [])
    return {
        "operationId": op.name,
        "summary": f"{op.name}: POST / with X-Amz-Target: {target(op.name)}",
        "description": (
            f"awsJson1_1: sent as `POST /`; the path's `#...` is a fragment that is never sent. "
            f"{'No AWS signature (the AccessToken in the body authorises it).' if unsigned else ''}"
        ).rstrip(),
        # An unsigned operation is authorised by the AccessToken in its body, never by a header.
        "security": [] if unsigned else [{SIGV4: []}],
        "parameters": [
            {
                "name": "X-Amz-Target",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "const": target(op.name)},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {media: {"schema": _ref(op.input_shape.name)}},
        },
        "responses": {
            "200": {
                "description": "Success (an operation without output answers {} or an empty body).",
                "headers": _headers(None),
                "content": {media: {"schema": output}},
            },
            "400": _error_response(400, client, media),
            "500": _error_response(500, server, media),
        },
    }


def _readable(schema: Any) -> Any:
    """A response schema without `writeOnly`: a sensitive member (a device attribute's Value, a sign-in's
    tokens) is in the answers, and to OpenAPI a writeOnly property is one a response must not carry."""
    if isinstance(schema, dict):
        return {k: _readable(v) for k, v in schema.items() if k != "writeOnly"}
    if isinstance(schema, list):
        return [_readable(v) for v in schema]
    return schema


def _components(operations: list[OperationModel]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for op in operations:
        # Requests are strict (additionalProperties: false), responses open, as in specs/schemas/.
        schemas[op.input_shape.name] = shape_schema(op.input_shape, strict=True)
        if op.output_shape is not None:
            schemas[op.output_shape.name] = _readable(shape_schema(op.output_shape, strict=False))
        modeled = {e.name: e for e in op.error_shapes}
        for name in documented_errors(op.name):
            schemas[name] = _error_schema(name, modeled.get(name))
    return {
        "schemas": dict(sorted(schemas.items())),
        "securitySchemes": {
            SIGV4: {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "AWS Signature Version 4 over the request (Admin* operations).",
                "x-amazon-apigateway-authtype": "awsSigv4",
            }
        },
    }


def openapi_document() -> dict[str, Any]:
    model = pinned()
    media = content_type()
    operations = [model.operation(name) for name in OPENAPI_OPERATIONS]
    return {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": DIALECT,
        "info": {
            "title": f"{model.service.metadata['serviceFullName']}: UpdateDeviceStatus and the device flow",
            "version": model.api_version,
            "description": (
                "The awsJson1_1 face of the operations, generated by `cognito-conformance openapi` from "
                f"the pinned cognito-idp model (botocore {model.botocore_version}, sha256 "
                f"{model.sha256[:16]}...). Do not edit. Every operation is `POST /` with its "
                "`X-Amz-Target` header and `Content-Type: " + media + "`; the `#X-Amz-Target=...` "
                "in each path is a URI fragment, never sent, that keeps the operations apart."
            ),
        },
        "paths": {
            operation_path(op.name): {op.http["method"].lower(): _operation(op, media)} for op in operations
        },
        "components": _components(operations),
    }


def render_openapi() -> str:
    return render(openapi_document())


def openapi_is_stale(path: Path = OPENAPI_FILE) -> bool:
    """Whether `path` differs from what the generator makes now (a missing file is stale)."""
    return not path.exists() or path.read_text() != render_openapi()


def register_schemathesis() -> None:
    """Teach schemathesis that the awsJson1_1 media type is JSON: request bodies and responses."""
    # Imported here only: writing or checking the document does not need schemathesis, whose import
    # alone costs about half a second (measured: `python -c "import schemathesis"`, 0.4-0.6 s).
    import schemathesis

    media = content_type()
    schemathesis.serializer.alias(media, "application/json")

    @schemathesis.deserializer(media)
    def _awsjson(ctx: schemathesis.DeserializationContext, response: schemathesis.Response) -> Any:
        # awsJson1_1: an operation without output may answer an empty body, read as {}.
        return json.loads(response.content) if response.content.strip() else {}


# Named as schemathesis's hooks module (SCHEMATHESIS_HOOKS), this registers on import; any other import
# of the module has no side effect.
if os.environ.get("SCHEMATHESIS_HOOKS") == __name__:
    register_schemathesis()
