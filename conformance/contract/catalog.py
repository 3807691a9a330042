"""Load and validate the requirement catalog: specs/requirements.toml (UpdateDeviceStatus, the headline, with
the device flow, awsJson1_1 and the error table), then specs/requirements/*.toml (the other device
operations, each requirement naming its `operation`).

A malformed catalog is a ContractError with one line saying where; every source is checked against
what it cites: seed and evidence quotes must appear in the pinned copies under specs/sources/, model
references must exist in the pinned extract, and the error table must name exactly the model's errors.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ..errors import ContractError
from . import paths
from .extract import DEVICE_OPERATIONS, OPERATION
from .model import PinnedModel, pinned

LEVELS = ("MUST", "SHOULD", "MAY", "INFO")
# The families every catalog has (UpdateDeviceStatus's), then those only other operations have.
CORE_FAMILIES = (
    "device-flow",
    "validation",
    "authorization",
    "resources",
    "state",
    "protocol",
    "error-coverage",
)
FAMILIES = (*CORE_FAMILIES[:5], "pagination", "attributes", *CORE_FAMILIES[5:])
# The operations a requirement can judge, UpdateDeviceStatus (the headline) first.
OPERATIONS = (OPERATION, *(o for o in DEVICE_OPERATIONS if o != OPERATION))
# How the ids of the other operations' requirements begin (UpdateDeviceStatus's have no prefix).
ID_PREFIXES = {
    "ConfirmDevice": "CONFIRM",
    "GetDevice": "GET",
    "ListDevices": "LIST",
    "ForgetDevice": "FORGET",
    "AdminGetDevice": "ADMIN-GET",
    "AdminListDevices": "ADMIN-LIST",
    "AdminUpdateDeviceStatus": "ADMIN-UPDATE",
    "AdminForgetDevice": "ADMIN-FORGET",
}
SOURCE_KINDS = ("seed", "model", "protocol", "evidence")
SEED_FILE = "update_device_status.txt"
ID_PATTERN = re.compile(r"[A-Z]+(-[A-Z0-9]+)+")


@dataclass(frozen=True)
class Source:
    kind: str
    ref: str | None = None
    file: str | None = None
    quote: str | None = None
    cites: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for a report: where the requirement comes from."""
        if self.kind == "model":
            return f"model: {self.ref}"
        where = SEED_FILE if self.kind == "seed" else self.file
        text = f'{self.kind} ({where}): "{_normalise(self.quote or "")}"'
        return text + (f" [{', '.join(self.cites)}]" if self.cites else "")


@dataclass(frozen=True)
class Requirement:
    id: str
    family: str
    level: str
    title: str
    statement: str
    sources: tuple[Source, ...]
    # The documented refusal: its error types (any one will do) are part of the MUST, the message a SHOULD.
    expect: tuple[str, ...] = ()
    message: str | None = None
    # The level of the error type itself, where it is weaker than the requirement's (awsJson1_1's
    # framing errors: the 4xx is the MUST, SerializationException a SHOULD).
    expect_level: str | None = None
    operation: str = OPERATION  # the operation whose contract it is

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "operation": self.operation,
            "family": self.family,
            "level": self.level,
            "title": self.title,
            "statement": self.statement,
            "expect": list(self.expect),
            "message": self.message,
            "sources": [s.describe() for s in self.sources],
        }


@dataclass(frozen=True)
class ErrorTrigger:
    error: str
    trigger: str
    why_not: str | None = None


@dataclass(frozen=True)
class Catalog:
    requirements: tuple[Requirement, ...]
    errors: tuple[ErrorTrigger, ...] = field(default=())

    def get(self, requirement_id: str) -> Requirement:
        return self._by_id[requirement_id]

    @cached_property
    def _by_id(self) -> dict[str, Requirement]:
        # Looked up for every request a case sends (its level, its operation): by id, not by a scan.
        return {r.id: r for r in self.requirements}

    def families(self) -> list[str]:
        return [f for f in FAMILIES if any(r.family == f for r in self.requirements)]

    def operations(self) -> list[str]:
        return [o for o in OPERATIONS if any(r.operation == o for r in self.requirements)]


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


def _resolve(model: dict[str, Any], ref: str) -> bool:
    node: Any = model
    for part in ref.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    return True


def _fail(where: str, message: str) -> ContractError:
    return ContractError(f"requirement catalog: {where}: {message}")


def _source(raw: Any, where: str, texts: dict[str, str], model: PinnedModel) -> Source:
    if not isinstance(raw, dict):
        raise _fail(where, "a source must be a table")
    kind = raw.get("kind")
    if kind not in SOURCE_KINDS:
        raise _fail(where, f"source kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    cites = tuple(str(c) for c in raw.get("cites", ()))
    if kind == "model":
        ref = raw.get("ref")
        if not isinstance(ref, str) or not _resolve(model.model, ref):
            raise _fail(where, f"model reference {ref!r} does not exist in the pinned model")
        return Source(kind, ref=ref, cites=cites)
    file = SEED_FILE if kind == "seed" else raw.get("file")
    quote = raw.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        raise _fail(where, f"a {kind} source needs a quote")
    if file not in texts:
        raise _fail(where, f"source file {file!r} is not in specs/sources/")
    if _normalise(quote) not in texts[str(file)]:
        raise _fail(where, f"quote not found in {file}: {_normalise(quote)[:60]!r}")
    return Source(kind, file=None if kind == "seed" else str(file), quote=quote, cites=cites)


def _requirement(
    raw: Any, index: int, texts: dict[str, str], model: PinnedModel, operation: str | None
) -> Requirement:
    """One [[requirement]]; `operation` is the file's default (None: each must name its own)."""
    if not isinstance(raw, dict):
        raise _fail(f"requirement #{index}", "must be a table")
    rid = raw.get("id")
    where = f"requirement {rid!r}" if rid else f"requirement #{index}"
    named = raw.get("operation", operation)
    if named not in OPERATIONS:
        raise _fail(where, f"operation {named!r} is not one of {', '.join(OPERATIONS)}")
    prefix = ID_PREFIXES.get(str(named))
    if prefix and isinstance(rid, str) and not rid.startswith(f"{prefix}-"):
        raise _fail(where, f"the id of a {named} requirement begins with {prefix}-")
    if not isinstance(rid, str) or not ID_PATTERN.fullmatch(rid):
        raise _fail(where, "id must look like FAMILY-NAME (capitals, digits, dashes)")
    for key in ("family", "level", "title", "statement"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _fail(where, f"missing or empty '{key}'")
    if raw["level"] not in LEVELS:
        raise _fail(where, f"level {raw['level']!r} is not one of {', '.join(LEVELS)}")
    if raw["family"] not in FAMILIES:
        raise _fail(where, f"family {raw['family']!r} is not one of {', '.join(FAMILIES)}")
    sources = raw.get("source")
    if not isinstance(sources, list) or not sources:
        raise _fail(where, "needs at least one [[requirement.source]]")
    expect = raw.get("expect", "")
    for key in ("message", "expect_level"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key]):
            raise _fail(where, f"'{key}' must be a non-empty string")
    if raw.get("expect_level") not in (None, *LEVELS):
        raise _fail(where, f"expect_level {raw['expect_level']!r} is not one of {', '.join(LEVELS)}")
    if ("message" in raw or "expect_level" in raw) and not expect:
        raise _fail(where, "'message' and 'expect_level' need an 'expect'")
    return Requirement(
        id=rid,
        family=raw["family"],
        level=raw["level"],
        title=raw["title"],
        statement=raw["statement"],
        sources=tuple(_source(s, where, texts, model) for s in sources),
        expect=tuple(e for e in str(expect).split("|") if e),
        message=raw.get("message"),
        expect_level=raw.get("expect_level"),
        operation=str(named),
    )


def operation_files(path: Path) -> list[Path]:
    """The other operations' catalog files beside the main one (specs/requirements/*.toml), in name order."""
    return sorted((path.parent / path.stem).glob("*.toml"))


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ContractError(f"requirement catalog not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContractError(f"requirement catalog {path} is not valid TOML: {exc}") from None


def load_catalog(path: Path | None = None, model: PinnedModel | None = None) -> Catalog:
    path = path or paths.CATALOG_FILE
    model = model or pinned()
    data = _read(path)
    sources_dir = path.parent / "sources"
    texts = {p.name: _normalise(p.read_text()) for p in sources_dir.glob("*") if p.is_file()}
    raw = data.get("requirement")
    if not isinstance(raw, list) or not raw:
        raise _fail(str(path), "no [[requirement]] entries")
    requirements = [_requirement(r, i, texts, model, OPERATION) for i, r in enumerate(raw, 1)]
    for other in operation_files(path):
        more = _read(other).get("requirement")
        if not isinstance(more, list) or not more:
            raise _fail(str(other), "no [[requirement]] entries")
        requirements += [_requirement(r, i, texts, model, None) for i, r in enumerate(more, 1)]
    seen: set[str] = set()
    for r in requirements:
        if r.id in seen:
            raise _fail(f"requirement {r.id!r}", "duplicate id")
        seen.add(r.id)
    missing = [f for f in CORE_FAMILIES if not any(r.family == f for r in requirements)]
    if missing:
        raise _fail(
            str(path), f"no requirement in famil{'y' if len(missing) == 1 else 'ies'} {', '.join(missing)}"
        )
    # By operation (the headline first), then by family; in the order written within a family.
    order = sorted(requirements, key=lambda r: (OPERATIONS.index(r.operation), FAMILIES.index(r.family)))
    return Catalog(tuple(order), _errors(data.get("error", {}), model))


def _errors(raw: Any, model: PinnedModel) -> tuple[ErrorTrigger, ...]:
    modeled = [e.name for e in model.operation(OPERATION).error_shapes]
    if not isinstance(raw, dict):
        raise _fail("[error]", "must be a table of error names")
    if set(raw) != set(modeled):
        extra, absent = sorted(set(raw) - set(modeled)), sorted(set(modeled) - set(raw))
        raise _fail(
            "[error]", f"must name exactly the model's errors (absent: {absent}, not modeled: {extra})"
        )
    out = []
    for name in modeled:
        entry = raw[name]
        if not isinstance(entry, dict) or not isinstance(entry.get("trigger"), str):
            raise _fail(f"[error.{name}]", "needs a 'trigger'")
        out.append(ErrorTrigger(name, entry["trigger"], entry.get("why_not")))
    return tuple(out)


@cache
def catalog() -> Catalog:
    """The default catalog, loaded and validated once per process."""
    return load_catalog()
