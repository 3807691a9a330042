"""The `cognito-conformance` command line.

Exit codes: 0 ok (conformant / no drift), 1 conformance failures or drift found, 2 usage or
configuration error (one line on stderr), 3 the target could not be reached (or stopped answering), 4 an
internal error of the suite (a bug; set COGNITO_CONFORMANCE_DEBUG=1 for the traceback), 130 Ctrl-C,
143 SIGTERM.
"""

# Each command imports what it needs inside its function: `cognito-conformance --help`, `cases` or
# `schemas` import in 0.1-0.3 s, while the run's modules (pytest, Hypothesis, schemathesis, the cases)
# cost about 1.4 s (measured: `python -c "import conformance.cli"` against `import conformance.app.run`).
from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .engine.settings import OPTIONS
from .errors import EXIT_FAILURES, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, SuiteError

EXIT_INTERNAL = 4
PROG = "cognito-conformance"


class _HelpFormatter(argparse.HelpFormatter):
    """Every argument's help says its default, when it has one to say (not None, not a switch's off)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help
        default = action.default
        if text is None or text is argparse.SUPPRESS or "%(default)" in text:
            return text
        if default is None or default is False or default is argparse.SUPPRESS:
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit 2, and --help shows every default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        raise SystemExit(EXIT_USAGE)


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argument type: a whole number, `minimum` or more."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}: {value}")
        return value

    return parse


_positive, _non_negative = _at_least(1), _at_least(0)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range: {value}")
    return value


def _add_run_options(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    """The `run` command's arguments, from the one table of run options (engine/settings.py).

    Without `defaults`, an option the command line does not give is left out of the namespace: what the
    user gave is told from what a configuration file may fill in (configure_run)."""
    for option in OPTIONS:
        default = option.default if defaults else argparse.SUPPRESS
        if option.kind is bool:
            # --no-dry-run too: the command line overrides `dry-run = true` in a configuration file.
            parser.add_argument(
                option.flag, action=argparse.BooleanOptionalAction, default=default, help=option.help
            )
            continue
        kind: Callable[[str], Any] = str if option.kind is str else int
        if option.minimum is not None:
            kind = _at_least(option.minimum)
        parser.add_argument(
            option.flag,
            type=kind,
            default=default,
            choices=option.choices,
            metavar=option.metavar,
            help=option.help,
        )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="read defaults for these options from FILE's [tool.cognito-conformance] table "
        "(default: the first pyproject.toml in the current directory or its parents, if it has the table)",
    )


# --- commands ---------------------------------------------------------------------------------------


def cmd_cases(args: argparse.Namespace) -> int:
    """The catalog by operation (UpdateDeviceStatus, the headline, first), then by family."""
    from .contract.catalog import catalog
    from .engine.settings import RunSettings

    cat = catalog()
    # `--operation` is read as `run` reads it: the same names, the same error for one that is not.
    wanted = RunSettings(target_spec="reference", operation=args.operation).operations
    requirements = [r for r in cat.requirements if wanted is None or r.operation in wanted]
    if args.format == "json":
        print(json.dumps({"requirements": [r.as_dict() for r in requirements]}, indent=2))
        return EXIT_OK
    operations = [o for o in cat.operations() if any(r.operation == o for r in requirements)]
    families = [f for f in cat.families() if any(r.family == f for r in requirements)]
    width = max((len(r.id) for r in requirements), default=0)
    for operation in operations:
        mine = [r for r in requirements if r.operation == operation]
        own = [f for f in families if any(r.family == f for r in mine)]
        print(f"{operation}: {_count(len(mine), 'requirement')} in {_count(len(own), 'family', 'families')}")
        for family in own:
            print(f"  [{family}]")
            for r in (r for r in mine if r.family == family):
                print(f"    {r.id:<{width}}  {r.level:<6}  {r.title}")
                for source in r.sources:
                    print(f"    {'':<{width}}  {'':<6}    source: {source.describe()}")
    print(
        f"{_count(len(requirements), 'requirement')} of {_count(len(operations), 'operation')} "
        f"in {_count(len(families), 'family', 'families')}"
    )
    return EXIT_OK


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def cmd_generate(args: argparse.Namespace) -> int:
    from strategies.requests import boundary_examples, canonical_request, invalid_requests, valid_requests
    from strategies.sampling import draw_examples
    from strategies.wire import wire_examples, wire_variants

    base = canonical_request()
    lines: list[dict[str, Any]]
    if args.kind == "valid":
        fixed = [ex.as_json() for ex in boundary_examples(base) if not ex.violations]
        drawn = draw_examples(valid_requests(), args.count, args.seed)
        lines = fixed + [{"request": r, "violations": []} for r in drawn]
    elif args.kind == "invalid":
        fixed = [ex.as_json() for ex in boundary_examples(base) if ex.violations]
        lines = fixed + [
            ex.as_json() for ex in draw_examples(invalid_requests(boundaries=False), args.count, args.seed)
        ]
    else:
        lines = [w.as_json() for w in wire_examples(base)]
        lines += [w.as_json() for w in draw_examples(wire_variants(base), args.count, args.seed)]
    for line in lines[: args.count]:
        print(json.dumps(line))  # ASCII: no U+2028 or U+0085 to split a line in a reader
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from .contract import paths
    from .contract.extract import write_extract

    out = Path(args.output) if args.output else paths.EXTRACT_FILE
    source = Path(args.source) if args.source else None
    _require_exists(source)
    document = write_extract(out, source)
    print(
        f"pinned {len(document['model']['operations'])} operations and "
        f"{len(document['model']['shapes'])} shapes "
        f"from botocore {document['source']['botocore_version']} to {out} (sha256 {document['sha256']})"
    )
    return EXIT_OK


def cmd_schemas(args: argparse.Namespace) -> int:
    from .contract import idgen, paths
    from .contract.schemas import stale_schemas, write_schemas

    if args.check:
        stale = stale_schemas(paths.SCHEMAS_DIR) + ([str(idgen.IDS_FILE)] if idgen.is_stale() else [])
        for name in stale:
            print(f"stale: {name}")
        print(
            "schemas are up to date"
            if not stale
            else f"{len(stale)} schema file(s) differ: run `{PROG} schemas`"
        )
        return EXIT_FAILURES if stale else EXIT_OK
    for path in [*write_schemas(paths.SCHEMAS_DIR), idgen.write()]:
        print(f"wrote {path}")
    return EXIT_OK


def cmd_openapi(args: argparse.Namespace) -> int:
    from .contract.openapi import OPENAPI_FILE, openapi_is_stale, render_openapi

    if args.check:
        stale = openapi_is_stale(OPENAPI_FILE)
        state = f"stale: run `{PROG} openapi > {OPENAPI_FILE}`" if stale else "up to date"
        print(f"{OPENAPI_FILE}: {state}")
        return EXIT_FAILURES if stale else EXIT_OK
    # Exactly the committed file's text, so `openapi > specs/openapi.json` regenerates it.
    sys.stdout.write(render_openapi())
    return EXIT_OK


def cmd_drift(args: argparse.Namespace) -> int:
    from .contract.drift import concerns_operation, drift_report
    from .contract.extract import OPERATION
    from .contract.model import pinned

    source = Path(args.against) if args.against else None
    _require_exists(source)
    model = pinned()
    try:
        version, lines = drift_report(source, model)
    except (OSError, ValueError, KeyError) as exc:
        raise SuiteError(f"cannot read a cognito-idp model from {args.against}: {exc}") from None
    where = f"botocore {version}" + (f" at {args.against}" if source else " (installed)")
    if not lines:
        print(f"no drift: the pinned model (botocore {model.botocore_version}) and {where} agree")
        return EXIT_OK
    mine = [ln for ln in lines if concerns_operation(ln, model)]
    print(
        f"drift between the pinned model (botocore {model.botocore_version}) and {where}: "
        f"{len(lines)} difference(s)"
    )
    print(f"{OPERATION}:")
    for line in mine or ["  (none)"]:
        print(f"  {line}")
    rest = [ln for ln in lines if ln not in mine]
    if rest:
        print("other operations and shapes:")
        for line in rest:
            print(f"  {line}")
    return EXIT_FAILURES


def cmd_contract(args: argparse.Namespace) -> int:
    """Check the contract (catalog, schemas, drift) and write what exists to the report directory."""
    from .contract import paths
    from .contract.catalog import catalog
    from .contract.drift import drift_report
    from .contract.model import pinned
    from .contract.schemas import stale_schemas

    model = pinned()
    cat = catalog()
    stale = stale_schemas(paths.SCHEMAS_DIR)
    version, drift = drift_report(None, model)
    out = Path(args.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    document = {
        "what": "the contract only (catalog, schemas, model drift); no target is contacted",
        "model": {
            "botocore_version": model.botocore_version,
            "sha256": model.sha256,
            "installed_botocore": version,
        },
        "drift": drift,
        "stale_schemas": stale,
        "requirements": [r.as_dict() for r in cat.requirements],
    }
    (out / "contract.json").write_text(json.dumps(document, indent=2) + "\n")
    print(f"catalog: {len(cat.requirements)} requirements in {len(cat.families())} families")
    print(
        f"model: pinned botocore {model.botocore_version}; installed {version}: "
        f"{'no drift' if not drift else f'{len(drift)} difference(s), see `{PROG} drift`'}"
    )
    print(f"schemas: {'up to date' if not stale else 'stale: ' + ', '.join(stale)}")
    print(f"wrote {out / 'contract.json'}")
    return EXIT_FAILURES if stale else EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Run the cases against a target through pytest, then judge the results (exit codes: README)."""
    # Where the run will write is checked before anything is sent (and before the run's imports).
    require_writable(Path(args.report_dir), "the report directory", directory=True)
    if args.record:
        require_writable(Path(args.record), "the recording file", directory=False)
    from conformance.app.run import run

    return run(args)


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay a recording against a target: exit 0 on full parity, 1 when a step answered otherwise."""
    from conformance.app.outputs import write_outputs

    from .parity.replay import replay, summary_lines

    report_dir = Path(args.report_dir)
    require_writable(report_dir, "the report directory", directory=True)
    document = replay(Path(args.recording), args.target)
    write_outputs(document, report_dir)
    for line in summary_lines(document):
        print(line)
    print(f"  report: {report_dir / 'index.html'}")
    return EXIT_OK if document["parity"]["full"] else EXIT_FAILURES


def cmd_evidence(args: argparse.Namespace) -> int:
    """The recorded answers to the questions the catalog leaves INFORMATIONAL, as Markdown."""
    from .parity.evidence import evidence_markdown
    from .parity.replay import load

    print(evidence_markdown(load(Path(args.recording))))
    return EXIT_OK


def cmd_serve_reference(args: argparse.Namespace) -> int:
    from .reference import ReferenceBackend
    from .reference.faults import FAULTS, FaultyBackend
    from .reference.server import serve

    if args.list_faults:
        for line in fault_lines():
            print(line)
        return EXIT_OK
    backend = ReferenceBackend()
    if args.fault:
        if args.fault not in FAULTS:
            close = difflib.get_close_matches(args.fault, FAULTS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SuiteError(
                f"unknown fault {args.fault!r}{hint} (`{PROG} serve-reference --list-faults` lists them)"
            )
        backend = FaultyBackend(args.fault)

    def announce(url: str) -> None:
        fault = f" with the fault {args.fault!r} (breaks {FAULTS[args.fault][0]})" if args.fault else ""
        print(f"reference Cognito listening on {url}{fault}", flush=True)

    serve(args.host, args.port, announce, backend=backend)
    return EXIT_OK


def fault_lines() -> list[str]:
    """One line per fault of the reference's faulty variants: its name, the requirement whose case must
    catch it, and what it does (its docstring's first sentence; else the title of what it breaks)."""
    from .contract.catalog import catalog
    from .reference.faults import FAULTS

    titles = {r.id: r.title for r in catalog().requirements}
    width = max(len(name) for name in FAULTS)
    # The column fits the requirement ids; the few broad faults' "(every ... case)" overflow it.
    breaks_width = max(len(breaks) for breaks, _ in FAULTS.values() if breaks in titles)
    lines = []
    for name, (breaks, fault) in sorted(FAULTS.items()):
        what = _first_sentence(fault.__doc__ or "")
        if not what and breaks in titles:
            what = f"breaks: {titles[breaks]}"
        lines.append(f"{name:<{width}}  {breaks:<{breaks_width}}  {what}".rstrip())
    return lines


def _first_sentence(doc: str) -> str:
    paragraph = " ".join(doc.strip().split("\n\n", 1)[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def _require_exists(path: Path | None) -> None:
    if path is not None and not path.exists():
        raise SuiteError(f"no such file or directory: {path}")


def require_writable(path: Path, what: str, *, directory: bool) -> None:
    """A usage error (exit 2, one line) when `path` could not be written: found before a run sends
    anything, not when its reports are written at the end."""
    try:
        problem = _unwritable(path, directory=directory)
    except OSError as exc:  # a parent that cannot even be looked into
        problem = exc.strerror or str(exc)
    if problem is not None:
        raise SuiteError(f"cannot write {what} {path}: {problem}")


def _unwritable(path: Path, *, directory: bool) -> str | None:
    """Why `path` (a directory, made with its parents if need be, or a file) cannot be written; None
    when it can. Tried, not judged from permission bits: root ignores them, a read-only mount does not."""
    if path.exists():
        if path.is_dir() != directory:
            return "it is a directory" if path.is_dir() else "it is not a directory"
        if not directory:
            with path.open("ab"):  # opened for appending, left as it was
                return None
        place = path
    else:
        place = path.parent
        while not place.exists():
            place = place.parent
        if not place.is_dir():
            return f"{place} is not a directory"
    with tempfile.TemporaryFile(dir=place):  # an unnamed file, gone when closed
        return None


# --- parser -----------------------------------------------------------------------------------------


def build_parser(*, run_defaults: bool = True) -> argparse.ArgumentParser:
    """The command line. Without `run_defaults`, `run`'s options are left out of the namespace unless
    given (see _add_run_options)."""
    parser = _Parser(prog=PROG, description="Conformance suite for Amazon Cognito's UpdateDeviceStatus.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def add(
        name: str, handler: Callable[[argparse.Namespace], int], help_text: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = add("cases", cmd_cases, "print the requirement catalog (id, level, title, source), by operation")
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="a listing by operation and family, or one JSON document (each requirement with its operation)",
    )
    p.add_argument(
        "--operation",
        metavar="NAME[,NAME]",
        help="only the requirements of these operations, e.g. 'ListDevices,AdminListDevices'; "
        "default: all nine device operations",
    )

    p = add("generate", cmd_generate, "print generated UpdateDeviceStatus requests, one JSON object a line")
    p.add_argument(
        "--kind",
        choices=("valid", "invalid", "wire"),
        required=True,
        help="valid requests, invalid ones (each with the rules it breaks), or wire-level variants",
    )
    p.add_argument("--count", type=_positive, default=20, help="how many lines to print")
    p.add_argument("--seed", type=int, default=0, help="the same seed prints the same lines")

    p = add("extract", cmd_extract, "re-pin the model extract from botocore (installed, or --from PATH)")
    p.add_argument(
        "--from",
        dest="source",
        help="a botocore package directory or a service-2.json[.gz] (default: the installed botocore)",
    )
    p.add_argument("-o", "--output", help="where to write (default: specs/cognito-idp.extract.json)")

    p = add(
        "schemas",
        cmd_schemas,
        "regenerate the JSON Schemas and the requirement-id constants (or --check them)",
    )
    p.add_argument("--check", action="store_true", help="exit 1 if the committed schemas are stale")

    p = add("openapi", cmd_openapi, "print the OpenAPI 3.1 document of the awsJson1_1 face (or --check it)")
    p.add_argument("--check", action="store_true", help="exit 1 if the committed specs/openapi.json is stale")

    p = add("drift", cmd_drift, "compare the pinned model with a botocore (installed, or --against PATH)")
    p.add_argument(
        "--against",
        help="a botocore package directory (an unpacked wheel) or a service-2.json[.gz] "
        "(default: the installed botocore)",
    )

    p = add("contract", cmd_contract, "check the contract (catalog, schemas, drift); contacts no target")
    p.add_argument("--report-dir", default="reports/latest", help="where contract.json goes")

    p = add("run", cmd_run, "run the conformance cases against a target and write the reports")
    _add_run_options(p, defaults=run_defaults)

    from .reports.cli import add_report_commands

    add_report_commands(sub, _Parser)

    p = add("replay", cmd_replay, "replay a recording (run --record) against a target; show the differences")
    p.add_argument("recording", metavar="FILE", help="a recording written by `run --record FILE`")
    p.add_argument("--target", default="reference", help="the target to replay against, as for run")
    p.add_argument(
        "--report-dir", default="reports/replay", help="where the replay's results.json and reports go"
    )

    p = add("evidence", cmd_evidence, "print a recording's answers to the questions the catalog leaves open")
    p.add_argument("recording", metavar="FILE", help="a recording written by `run --record FILE`")

    p = add("serve-reference", cmd_serve_reference, "serve the reference Cognito mock over HTTP (awsJson1_1)")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    p.add_argument(
        "--port", type=_port, default=0, help="the port to listen on; 0 picks a free one (the URL is printed)"
    )
    p.add_argument(
        "--fault",
        metavar="NAME",
        help="serve a deliberately faulty variant (conformance/reference/faults.py; see --list-faults)",
    )
    p.add_argument(
        "--list-faults",
        action="store_true",
        help="print every fault --fault takes (its name, the requirement whose case must catch it, what it "
        "does) and exit without serving",
    )
    return parser


def configure_run(args: argparse.Namespace, argv: Sequence[str] | None) -> None:
    """Fill the `run` options the command line did not give from [tool.cognito-conformance]
    (app/config.py), saying which file was read; the options neither sets keep their defaults."""
    from .app.config import apply, load

    given = vars(build_parser(run_defaults=False).parse_args(argv))
    config = load(args.config)
    if config is not None:
        print(f"config: {config.describe()}", flush=True)
    apply(args, config, given)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            configure_run(args, argv)
        code: int = args.handler(args)
        return code
    except SuiteError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        # Ctrl-C: 130. SIGTERM during a run (provisioning.cleanup.Terminated): 143. Cleanup has run.
        code = int(getattr(exc, "exit_code", EXIT_INTERRUPTED))
        print(f"{PROG}: {'interrupted' if code == EXIT_INTERRUPTED else 'terminated'}", file=sys.stderr)
        return code
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("COGNITO_CONFORMANCE_DEBUG"):
            traceback.print_exc()
        print(f"{PROG}: internal error (a bug in the suite): {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # python -m conformance.cli
    raise SystemExit(main())
