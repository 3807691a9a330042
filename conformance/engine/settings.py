"""The run's options, written once: `OPTIONS` is the table from which the `run` command's arguments
(conformance/cli.py), the pytest plugin's options (conformance/app/plugin.py), the arguments `run` hands
to pytest (conformance/app/run.py) and `RunSettings` are all made.

An option with a `field` is a setting of the run (a field of RunSettings, passed on to pytest); one
without is the `run` command's own (the baseline, the workers, the dry run).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from conformance.contract.catalog import OPERATIONS
from conformance.errors import SuiteError

# Examples per property case: live services are paced and cost calls.
DEFAULT_EXAMPLES = 25
LIVE_EXAMPLES = 5
# The schemathesis phase's examples per generation mode (its coverage phase adds what the schema
# implies, about 45 requests). Off on AWS by default: the live profile's 400-call budget is spent.
DEFAULT_SCHEMATHESIS = 25
LIVE_SCHEMATHESIS = 0
# Calls a run may make on AWS, provisioning included (`--budget`; none elsewhere): conformance/app/budget.py
# plans the cases that fit, by priority.
LIVE_BUDGET = 400
DEFAULT_REPORT_DIR = "reports/latest"
TARGET_HELP = "reference | reference-http | moto | http(s)://HOST:PORT | aws[:REGION]"
PLUGIN_PREFIX = "--cognito-"  # `pytest --cognito-target=moto`: the plugin's options, never another's


@dataclass(frozen=True)
class Option:
    """One option of `run`: its flag, what it holds, and where it goes."""

    flag: str
    help: str
    kind: type = str  # str, int, or bool (a switch)
    default: Any = None
    minimum: int | None = None  # an int's least value
    choices: tuple[str, ...] | None = None
    metavar: str | None = None
    field: str | None = None  # the RunSettings field it sets; None: the `run` command's own
    path: bool = False  # a file or directory: relative in a config file, relative to that file's directory

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def plugin_flag(self) -> str:
        """The pytest plugin's spelling, prefixed so that it never clashes with another plugin's."""
        return PLUGIN_PREFIX + self.flag.removeprefix("--")

    @property
    def plugin_dest(self) -> str:
        return self.plugin_flag.removeprefix("--").replace("-", "_")

    @property
    def in_plugin(self) -> bool:
        """A setting of the run, or the baseline (the plugin is a gate too); not `run`'s own switches."""
        return self.field is not None or self.flag == "--baseline"


OPTIONS: tuple[Option, ...] = (
    Option("--target", TARGET_HELP, default="reference", field="target_spec"),
    Option(
        "--label",
        "a name for this target in reports and merged matrices; default: the target spec",
        metavar="NAME",
        field="label",
    ),
    Option(
        "--report-dir",
        "where results.json and the reports go",
        default=DEFAULT_REPORT_DIR,
        field="report_dir",
        path=True,
    ),
    Option("--seed", "makes a run repeatable (same cases, examples, verdicts)", int, 0, field="seed"),
    Option("--case", "only cases matching this glob or text, e.g. 'VAL-*' (comma-separated)", field="case"),
    Option(
        "--operation",
        "only the requirements of these operations, e.g. 'ListDevices,AdminListDevices'; "
        "default: all nine device operations",
        metavar="NAME[,NAME]",
        field="operation",
    ),
    Option(
        "--examples",
        "generated requests per property case of UpdateDeviceStatus (default 25; 5 on aws); "
        "the other operations' draw a fifth of it, at least 2",
        int,
        minimum=1,
        field="examples",
    ),
    Option(
        "--record",
        "write every exchange of the run to FILE (ids named, secrets redacted), to replay elsewhere",
        metavar="FILE",
        field="record",
        path=True,
    ),
    Option(
        "--schemathesis",
        "the schemathesis phase's examples per generation mode; 0 skips it (default 25; 0 on aws)",
        int,
        minimum=0,
        metavar="N",
        field="schemathesis",
    ),
    Option(
        "--budget",
        "the most calls the run may make, provisioning included: the cases that fit run, by priority "
        "(UpdateDeviceStatus's MUSTs first), the others are SKIPPED "
        f"(default {LIVE_BUDGET} on aws; none elsewhere)",
        int,
        minimum=1,
        metavar="N",
        field="budget",
    ),
    Option("--dry-run", "send nothing: print the planned calls and their total", bool, False),
    Option(
        "--pace", "pace calls per Cognito quota category (default on aws)", choices=("aws",), field="pace"
    ),
    Option(
        "--baseline", "expected verdicts; exit 1 only on a regression against it", metavar="FILE", path=True
    ),
    Option(
        "--user-pool-id",
        "staging mode: create temporary users in this existing pool only",
        field="user_pool_id",
    ),
    Option(
        "--client-id", "staging mode: an app client of that pool with ALLOW_USER_SRP_AUTH", field="client_id"
    ),
    Option("--client-secret", "staging mode: the client's secret, if it has one", field="client_secret"),
    Option("--workers", "pytest-xdist workers (each provisions its own users)", int, 1, minimum=1),
)
SETTINGS_OPTIONS = tuple(o for o in OPTIONS if o.field)


@dataclass(frozen=True)
class RunSettings:
    target_spec: str
    seed: int = 0
    examples: int = DEFAULT_EXAMPLES
    report_dir: str | None = None
    case: str | None = None  # the case pattern (`--case`); None: every case
    operation: str | None = None  # `--operation A,B`: the operations judged; None: every one
    record: str | None = None  # `--record FILE`
    pace: str | None = None
    user_pool_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    shrink: bool = True  # shrink failures to minimal examples (off on live services: it costs calls)
    schemathesis: int = DEFAULT_SCHEMATHESIS  # the schemathesis phase's examples per mode; 0: no phase
    label: str | None = None  # `--label NAME`: the target's name in reports (None: its spec)
    budget: int | None = None  # `--budget N`: the most calls the run may make (None: no limit)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> RunSettings:
        """The settings from option values (by RunSettings field), with the defaults that depend on the
        kind of target (the one place): fewer examples, no shrinking and no phase on live services."""
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in values.items() if k in known and v is not None}
        live = str(given["target_spec"]).startswith("aws")
        given.setdefault("examples", LIVE_EXAMPLES if live else DEFAULT_EXAMPLES)
        given.setdefault("schemathesis", LIVE_SCHEMATHESIS if live else DEFAULT_SCHEMATHESIS)
        given.setdefault("budget", LIVE_BUDGET if live else None)
        given["shrink"] = not live
        return cls(**given)

    @classmethod
    def from_options(cls, values: Mapping[str, Any]) -> RunSettings:
        """The settings from option values by destination (`target`, `user_pool_id`, ...)."""
        return cls.of({o.field: values.get(o.dest) for o in SETTINGS_OPTIONS if o.field})

    @property
    def operations(self) -> tuple[str, ...] | None:
        """The operations `--operation` names (in the catalog's order), None for every one; a name that
        is no device operation is a usage error, with the closest name."""
        if not self.operation:
            return None
        names = [n.strip() for n in self.operation.split(",") if n.strip()]
        for name in names:
            if name not in OPERATIONS:
                close = difflib.get_close_matches(name, OPERATIONS, n=1, cutoff=0.5)
                hint = f" (did you mean {close[0]}?)" if close else f"; one of {', '.join(OPERATIONS)}"
                raise SuiteError(f"--operation {name!r} is not a device operation{hint}")
        return tuple(o for o in OPERATIONS if o in names)

    def option_values(self) -> dict[str, Any]:
        """The settings as option values by destination: what `run` hands to its pytest session."""
        return {o.dest: getattr(self, o.field) for o in SETTINGS_OPTIONS if o.field}
