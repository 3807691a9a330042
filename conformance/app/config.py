"""`[tool.cognito-conformance]` in a pyproject.toml: defaults for the `run` command's options
(docs/configuration.md).

The file is `run --config FILE`, or else the first pyproject.toml in the current directory and its
parents (one without the table: nothing is read). Every option of the one table of run options
(engine/settings.py, OPTIONS) can be set, its key spelled as the flag without the dashes (`report-dir`,
or `report_dir`); the command line overrides the file. Anything wrong in the file (TOML syntax, an
unknown key, a value of the wrong type or out of range) is a usage error: a SuiteError, one line naming
the file and the key, exit 2.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.engine.settings import OPTIONS, Option
from conformance.errors import SuiteError

# Options whose value is comma-separated: an array of strings is joined with commas.
LISTS = ("case", "operation")

FILE_NAME = "pyproject.toml"
TOOL = "cognito-conformance"  # the table: [tool.cognito-conformance]
TABLE = f"[tool.{TOOL}]"
# Every key, both spellings: `report-dir` and `report_dir`.
KEYS: dict[str, Option] = {
    spelling: option for option in OPTIONS for spelling in (option.flag.removeprefix("--"), option.dest)
}


@dataclass(frozen=True)
class Config:
    """The table read: where from, and its values by option destination (`report_dir`), checked."""

    path: Path
    values: dict[str, Any]

    def describe(self) -> str:
        return f"{self.path} {TABLE}"


def find(start: Path) -> Path | None:
    """The first pyproject.toml in `start` and then its parents, up to the filesystem root."""
    for directory in (start, *start.parents):
        candidate = directory / FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def load(explicit: str | None = None, *, cwd: Path | None = None) -> Config | None:
    """The configuration: from `explicit` (`--config FILE`: it must exist and hold the table), else from
    the first pyproject.toml found from `cwd` up (None when there is none, or it has no table)."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            problem = "it is a directory" if path.is_dir() else "no such file"
            raise SuiteError(f"cannot read the configuration --config {explicit}: {problem}")
        path = path.resolve()
        table = _table(path)
        if table is None:
            raise SuiteError(f"the configuration --config {explicit} has no {TABLE} table")
        return Config(path, check(table, path))
    found = find((cwd or Path.cwd()).resolve())
    if found is None:
        return None
    table = _table(found)
    return None if table is None else Config(found, check(table, found))


def _table(path: Path) -> Mapping[str, Any] | None:
    """The [tool.cognito-conformance] table of a TOML file, or None when it has none."""
    try:
        with path.open("rb") as f:
            document = tomllib.load(f)
    except OSError as exc:
        raise SuiteError(f"cannot read the configuration {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SuiteError(f"{path}: not valid TOML: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"{path}: not valid TOML: {exc}") from None
    tool = document.get("tool")
    if not isinstance(tool, dict) or TOOL not in tool:
        return None
    table = tool[TOOL]
    if not isinstance(table, dict):
        raise SuiteError(f"{path}: {TABLE} must be a table, not {_kind(table)}")
    return table


def check(table: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The table's values by option destination; a SuiteError naming the file and the key for anything
    wrong. Relative paths (report-dir, record, baseline) are taken from the file's directory."""
    values: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in table.items():
        option = KEYS.get(key)
        if option is None:
            known = ", ".join(o.flag.removeprefix("--") for o in OPTIONS)
            raise SuiteError(f"{path} {TABLE}: unknown key {key!r} (known: {known})")
        if option.dest in values:
            raise SuiteError(f"{path} {TABLE}: {spelled[option.dest]!r} and {key!r} set the same option")
        values[option.dest] = _value(option, key, value, path)
        spelled[option.dest] = key
    return values


def _value(option: Option, key: str, value: Any, path: Path) -> Any:
    where = f"{path} {TABLE}: {key}"
    if option.kind is bool:
        if not isinstance(value, bool):
            raise SuiteError(f"{where} must be true or false, not {_kind(value)}")
        return value
    if option.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SuiteError(f"{where} must be a whole number, not {_kind(value)}")
        if option.minimum is not None and value < option.minimum:
            raise SuiteError(f"{where} must be at least {option.minimum}: {value}")
        return value
    if option.dest in LISTS and isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ",".join(value)  # case = ["VAL-*", "PROTO-NO-5XX"], as --case 'VAL-*,PROTO-NO-5XX'
    if not isinstance(value, str):
        raise SuiteError(f"{where} must be a string, not {_kind(value)}")
    if option.choices is not None and value not in option.choices:
        raise SuiteError(f"{where} must be one of {', '.join(option.choices)}: {value!r}")
    if option.path:
        return str(path.parent / value)  # an absolute value stays as it is
    return value


# TOML's types in words, bool before int (a bool is an int to Python); anything else is a date or time.
_TOML_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (str, "a string"),
    (list, "an array"),
    (dict, "a table"),
)


def _kind(value: Any) -> str:
    """A TOML value's type, in words (never the value: it could be a secret)."""
    return next((words for kind, words in _TOML_KINDS if isinstance(value, kind)), "a date or time")


def apply(args: argparse.Namespace, config: Config | None, given: Collection[str]) -> None:
    """Fill every option the command line did not give (`given`: destinations) from the configuration;
    the others keep the command line's value, and those the file does not set their default."""
    if config is None:
        return
    for dest, value in config.values.items():
        if dest not in given:
            setattr(args, dest, value)


__all__ = ["Config", "apply", "check", "find", "load"]
