"""Secrets never leave the process: every token, password and device secret the suite handles is
registered here, and everything that is printed, logged or written passes through `redact`.

Besides the registered values, anything shaped like a JWT is replaced, so a token the suite never
saw (one minted by a target, echoed in an error) cannot slip out either.

`redact` reads the text once, however many secrets are registered (a deep run registers thousands and
redacts tens of thousands of texts): one compiled pattern finds where a secret or a JWT may start, and
a bisection in the sorted secrets finds the longest secret there. Left to right, at each position the
longest registered secret wins, then a JWT shape; replaced text is not read again.
"""

from __future__ import annotations

import bisect
import re
import threading
from typing import Any

JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
JWT_PLACEHOLDER = "$ACCESS_TOKEN"  # the name the curl lines leave to the shell
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


_CLASS_LEVELS = 3  # how many of a head's first characters the scan matches by class (see _filter)
_CLASSES = 4


def _filter(heads: list[str], levels: int = _CLASS_LEVELS) -> str:
    """A pattern that matches every one of `heads` (sorted, distinct, all of one length) and little else.

    The regex engine tries the branches of an alternation one by one at every position of the text, so
    their number is what a scan costs. On a 300 KB text with 700 secrets registered, a flat alternation
    of the secrets scanned 40 times slower than the per-secret loop, and a tree of one branch per
    character (66 at the first level) 3 times slower. Here the first `levels` characters are matched by
    at most four classes each, the others exactly: twice as fast as that tree. The classes let through
    more than the heads; `longest_at` checks every match.
    """
    if not heads[0]:
        return ""
    firsts = sorted({head[0] for head in heads})
    if levels and len(firsts) > _CLASSES:
        size = -(-len(firsts) // _CLASSES)
        groups = [set(firsts[i : i + size]) for i in range(0, len(firsts), size)]
        branches = [
            "["
            + "".join(re.escape(char) for char in sorted(group))
            + "]"
            + _filter(sorted({head[1:] for head in heads if head[0] in group}), levels - 1)
            for group in groups
        ]
    else:
        branches = [
            re.escape(char) + _filter(sorted({head[1:] for head in heads if head[0] == char}), levels)
            for char in firsts
        ]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _shared_prefix(a: str, b: str) -> int:
    """The length of the common prefix, by bisection on slices (compared in C, not char by char)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


class _Matcher:
    """The registry at one moment, ready for scanning. Never changed once built, so `redact` can use it
    outside the lock while another thread registers a secret (the next call builds a new one)."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.placeholders = dict(secrets)
        self.ordered = sorted(secrets)
        self.longest = max(map(len, self.ordered), default=0)
        # Every secret has at least MIN_SECRET_LENGTH characters: their first ones are what the scan
        # looks for. A pattern of whole secrets (tokens run to 1,000 characters) took a quarter of a
        # second to compile, and the registry grows during a run.
        heads = sorted({secret[:MIN_SECRET_LENGTH] for secret in self.ordered})
        self.scan = re.compile(
            f"(?P<head>{_filter(heads)})|{JWT_SHAPE.pattern}" if heads else JWT_SHAPE.pattern
        )

    def longest_at(self, text: str, start: int) -> str | None:
        """The longest registered secret that `text` holds at `start`, if any.

        Every secret that is a prefix of `window` sorts before it, and so does everything between that
        secret and the window: the last entry sorting before the window starts with the longest one.
        If that entry is not itself a prefix, no secret is longer than what it shares with the window;
        shorten the window to that and look again (at most once or twice in practice).
        """
        window = text[start : start + self.longest]
        while len(window) >= MIN_SECRET_LENGTH:
            index = bisect.bisect_right(self.ordered, window)
            if index == 0:
                return None
            nearest = self.ordered[index - 1]
            if window.startswith(nearest):
                return nearest
            window = window[: _shared_prefix(nearest, window)]
        return None

    def redact(self, text: str) -> str:
        pieces: list[str] = []
        copied = 0  # text[:copied] is in pieces already
        search_from = 0
        while (found := self.scan.search(text, search_from)) is not None:
            start = found.start()
            if found.lastgroup is None:  # a JWT shape, and no secret's head here
                end, placeholder = found.end(), JWT_PLACEHOLDER
            elif (secret := self.longest_at(text, start)) is not None:
                end, placeholder = start + len(secret), self.placeholders[secret]
            elif (jwt := JWT_SHAPE.match(text, start)) is not None:  # a head, but not the whole secret
                end, placeholder = jwt.end(), JWT_PLACEHOLDER
            else:
                search_from = start + 1
                continue
            pieces += (text[copied:start], placeholder)
            copied = search_from = end
        if not pieces:
            return text
        pieces.append(text[copied:])
        return "".join(pieces)


class SecretRegistry:
    """A set of secret strings, each with the placeholder that replaces it in output."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        self._matcher: _Matcher | None = None  # built on the first redact after a change

    def add(self, value: str | None, placeholder: str = "<redacted>") -> None:
        if value and len(value) >= MIN_SECRET_LENGTH:
            # A token broken after its first character (the simplest pattern breaker) still carries
            # the rest: that is a secret too.
            tails = [value[1:]] if JWT_SHAPE.fullmatch(value) else []
            with self._lock:
                for secret in (value, *tails):
                    if self._secrets.get(secret) != placeholder:
                        self._secrets[secret] = placeholder
                        self._matcher = None

    def _current(self) -> _Matcher:
        with self._lock:
            if self._matcher is None:
                self._matcher = _Matcher(self._secrets)
            return self._matcher

    def redact(self, text: str) -> str:
        return self._current().redact(text)

    def found_in(self, text: str) -> tuple[str, ...]:
        """The placeholders of the registered secrets that `text` holds, whole (none: it holds none).
        Unlike `redact`, a JWT shape that is no registered secret does not count."""
        matcher = self._current()
        found = set()
        for match in matcher.scan.finditer(text):
            if match.lastgroup == "head" and (secret := matcher.longest_at(text, match.start())):
                found.add(matcher.placeholders[secret])
        return tuple(sorted(found))

    def redact_obj(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string redacted (keys included)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact(str(k)): self.redact_obj(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_obj(v) for v in value]
        if isinstance(value, bytes):
            return self.redact(value.decode("utf-8", "replace"))
        return value


# The process-wide registry: provisioning adds to it, every output goes through it.
SECRETS = SecretRegistry()


def redact(text: str) -> str:
    return SECRETS.redact(text)


def redact_obj(value: Any) -> Any:
    return SECRETS.redact_obj(value)
