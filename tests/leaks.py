"""What a leaked token looks like in an output, for the leak tests.

A JWT is base64url JSON: its header and payload start with `eyJ` (`{"`), segments joined by dots. A
bare "eyJ" is no proof of a leak: a random base64 value (a salt, an SRP value) contains it once in a
few thousand; a header or payload followed by a dot and another segment is a token, or what is left of
one (a token a case broke after its first character keeps its payload and signature).
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}")


def tokens_in(text: str) -> list[str]:
    """The token-shaped strings in `text`, cut short (a failing test must not print them whole)."""
    return [match.group(0)[:12] + "..." for match in TOKEN.finditer(text)]
