"""Device state as the admin view reads it, and `Unread`: state that could not be read, which is never
compared ("unchanged" needs two readings)."""

from __future__ import annotations

from conformance.targets.exchange import Exchange

from .signals import NothingToJudge


class Unread:
    """State that could not be read, and why: never equal to anything, so never 'unchanged'."""

    def __init__(self, reason: str, exchange: Exchange | None = None) -> None:
        self.reason = reason
        self.exchange = exchange

    def __repr__(self) -> str:
        return f"unreadable ({self.reason})"


ABSENT = "absent"  # the admin view answers ResourceNotFoundException: the device is gone
State = str | Unread


def readable(state: State, requirement: str, what: str = "the device") -> str:
    """The state as read, or NothingToJudge: what could not be read is never compared."""
    if isinstance(state, Unread):
        raise NothingToJudge(
            requirement, f"the state of {what} could not be read: {state.reason}", state.exchange
        )
    return state
