"""The pytest plugin: `pytest --cognito-target=...` (or `cognito-conformance run`) runs every case as a
test, and passes or fails as `run` does (app/gate.py).

This module is pytest's entry point for the suite, so every pytest session in an environment where the
suite is installed imports it: it stays light (the option table only) and is inert without
--cognito-target. With it, it imports the run's pytest side (session.py: the cases, the engine, the
reports; about a second of imports) and registers it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.engine.settings import OPTIONS

SUITE_FILE = Path(__file__).with_name("suite.py")
TARGET = next(o for o in OPTIONS if o.flag == "--target")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cognito-conformance", "Cognito UpdateDeviceStatus conformance")
    for option in OPTIONS:
        if not option.in_plugin:
            continue  # the `run` command's own (workers, dry run)
        # --cognito-target defaults to None here: without it, the plugin is inert in any other session.
        default = None if option.dest == "target" else option.default
        kind = int if option.kind is int else None
        group.addoption(
            option.plugin_flag,
            dest=option.plugin_dest,
            default=default,
            type=kind,
            choices=option.choices,
            metavar=option.metavar,
            help=option.help,
        )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption(TARGET.plugin_dest) is None:
        return
    # Imported here, not above: only a conformance run pays for the cases and the engine (see above).
    from conformance.app.session import PLUGIN_NAME, ConformanceRun

    config.args[:] = [str(SUITE_FILE)]  # run the cases, not the project's own tests
    # pytest-xdist's mark, declared for runs without xdist (where it means nothing).
    config.addinivalue_line("markers", "xdist_group(name): cases that share one worker")
    config.pluginmanager.register(ConformanceRun(config), PLUGIN_NAME)
