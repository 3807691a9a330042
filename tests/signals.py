"""For tests that send a run SIGINT: the child must take it as Ctrl-C.

A test session started as a background job (`cmd &` in a non-interactive shell, as some CI runners do)
has SIGINT ignored, and children inherit an ignored signal: the run would never see the interrupt."""

from __future__ import annotations

import signal


def interruptible() -> None:
    """A `preexec_fn`: SIGINT back to its default in the child, whatever the test process inherited."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
