"""The pytest plugin: `pytest --target=...` (or `cognito-conformance run`) runs every case as a test.

This module is pytest's entry point for the suite, so every pytest session in an environment where the
suite is installed imports it: it stays light (the option table only) and is inert without --target.
With --target it imports the run's pytest side (session.py: the cases, the engine, the reports; about a
second of imports) and registers it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.engine.settings import OPTIONS

SUITE_FILE = Path(__file__).with_name("suite.py")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cognito-conformance", "Cognito UpdateDeviceStatus conformance")
    for option in OPTIONS:
        if option.field is None:
            continue  # the `run` command's own (baseline, workers, dry run)
        # --target defaults to None here: without it, the plugin is inert in any other pytest session.
        default = None if option.dest == "target" else option.default
        kind = int if option.kind is int else None
        group.addoption(
            option.flag,
            default=default,
            type=kind,
            choices=option.choices,
            metavar=option.metavar,
            help=option.help,
        )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("target") is None:
        return
    # Imported here, not above: only a conformance run pays for the cases and the engine (see above).
    from conformance.app.session import PLUGIN_NAME, ConformanceRun

    config.args[:] = [str(SUITE_FILE)]  # run the cases, not the project's own tests
    # pytest-xdist's mark, declared for runs without xdist (where it means nothing).
    config.addinivalue_line("markers", "xdist_group(name): cases that share one worker")
    config.pluginmanager.register(ConformanceRun(config), PLUGIN_NAME)
