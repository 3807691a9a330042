"""Reading a target spec (`--target`): which kind, which endpoint, which region."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import SuiteError

KINDS = ("reference", "reference-http", "moto", "endpoint", "aws")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
USAGE = "use reference, reference-http, moto, http(s)://HOST:PORT or aws[:REGION]"


@dataclass(frozen=True)
class ParsedSpec:
    spec: str
    kind: str
    endpoint: str | None = None  # only for "endpoint"; other kinds learn theirs when they start
    region: str | None = None  # only when the spec names one (aws:REGION)


def check_region(region: str) -> str:
    if not _REGION.match(region):
        raise SuiteError(f"not an AWS region: {region!r} (e.g. us-east-1)")
    return region


def parse_spec(spec: str) -> ParsedSpec:
    text = spec.strip()
    if text in ("reference", "reference-http", "moto", "aws"):
        return ParsedSpec(spec, text)
    if text.startswith("aws:"):
        return ParsedSpec(spec, "aws", region=check_region(text[4:]))
    if text.startswith(("http://", "https://")):
        try:
            parts = urlsplit(text)
            port = parts.port  # raises ValueError when out of range or not a number
        except ValueError as exc:
            raise SuiteError(f"bad target URL {spec!r}: {exc}") from None
        if not parts.hostname:
            raise SuiteError(f"bad target URL {spec!r}: no host")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise SuiteError(f"bad target URL {spec!r}: give only scheme, host and port (the API is at /)")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        endpoint = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
        return ParsedSpec(spec, "endpoint", endpoint=endpoint)
    raise SuiteError(f"unknown target {spec!r}: {USAGE}")
