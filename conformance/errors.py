"""Errors the command line turns into one-line messages and documented exit codes."""

# Exit codes (README, "Exit codes").
EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3  # also: the target stopped answering during the run
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_TERMINATED = 143  # SIGTERM (128 + 15)


class SuiteError(Exception):
    """A problem the user can fix (bad input, bad configuration); printed as one line."""

    exit_code = EXIT_USAGE


class ContractError(SuiteError):
    """The pinned contract in specs/ is missing, malformed or does not match its hash."""


class TargetUnreachable(SuiteError):
    """The target could not be reached at all (nothing listening, no such host)."""

    exit_code = EXIT_UNREACHABLE


class TargetStopped(TargetUnreachable):
    """The target stopped answering during the run: the cases not run yet were recorded as BLOCKED."""


class InvalidDefinition(Exception):
    """A case or a check defined wrong (an unknown requirement id, a name given twice): a bug in the
    suite, raised when its module is imported, as Hypothesis's InvalidDefinition is. One line."""
