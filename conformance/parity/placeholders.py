"""Run-specific values and their stable names (`<user-1>`, `<user-1.device-2>`, `<pool-1.client>`).

A recording must not carry a real id or a secret, and a replay must put its own target's values where
the recorded run had its own. Values are named as provisioning makes them, in the order it makes them;
a replay that performs the same provisioning actions in the same order names its own values alike, so
a name maps one target's value to the other's. A token a case forged is named by how it was made
(`<forged:alg_none:user-1.access-1,user-2.access-1>`: the recipe in `conformance/cases/forgery.py` and
the genuine tokens it was made of): a replay forges its own from its own tokens.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from conformance.cases.forgery import RECIPES
from conformance.provisioning.model import Device, Pool, Tokens, User

NAME = re.compile(r"<(?:pool|user|region|run)[A-Za-z0-9.\-]*>")
# A forged token's name: its recipe, then the names (without <>) of the tokens it was made of, or "".
FORGED = re.compile(r"<forged:([A-Za-z0-9_]+):([A-Za-z0-9.,\-]*)>")
# Ids a target makes itself and the suite never sees made (a user's sub inside a device's attributes).
OPAQUE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MIN_LENGTH = 6  # shorter values would name ordinary words
# A copy of a user or a device with another password (FLOW-SRP-PROOF's and STATE-DEVICE-SIGNIN's impostors).
WRONG_PASSWORD = "!wrong-password"


class Unresolved(Exception):
    """A name this side has no value for (its fixture could not be made here)."""


class Placeholders:
    """Values and names, both ways; `objects` maps a user's, device's or pool's name to the object."""

    def __init__(self, region: str, prefix: str, run_id: str) -> None:
        self.region = region
        self.prefix = prefix
        self.names: dict[str, str] = {}  # value -> name
        self.values: dict[str, str] = {}  # name -> value
        self.objects: dict[str, Any] = {}
        self._named: dict[int, str] = {}  # id() of each object in `objects` (kept alive there) -> name
        self._counts: dict[str, int] = {}
        self._pattern: re.Pattern[str] | None = None
        # The run's names (ccf-<run id>-user-3, the run-id tag of its pools): the longer one first.
        self._add(prefix[:-1], "<run>")
        self._add(run_id, "<run-id>")

    # --- naming --------------------------------------------------------------------------------------

    def _add(self, value: str | None, name: str) -> None:
        if not value or value in self.names or name in self.values:
            return
        self.names[value] = name
        self.values[name] = value
        self._pattern = None

    def _next(self, kind: str) -> str:
        self._counts[kind] = self._counts.get(kind, 0) + 1
        return f"{kind}-{self._counts[kind]}"

    def known(self, obj: Any) -> str | None:
        """The name of a pool, user or device named here, else None."""
        return self._named.get(id(obj))

    def _new(self, kind: str, obj: Any, values: dict[str, str | None]) -> str:
        """`<kind-N>` for a new object and its main value (key ""), `<kind-N.part>` for its other values."""
        name = f"<{self._next(kind)}>"
        self.objects[name] = obj
        self._named[id(obj)] = name
        for part, value in values.items():
            self._add(value, f"{name[:-1]}.{part}>" if part else name)
        return name

    def pool(self, pool: Pool) -> str:
        return self.known(pool) or self._new(
            "pool", pool, {"": pool.id, "client": pool.client_id, "name": pool.name}
        )

    def user(self, user: User) -> str:
        """The user's name; its pool, current tokens and devices are named too (new ones only)."""
        name = self.known(user)
        if name is None and user.username in self.names:
            twin = self.objects.get(self.names[user.username])
            # A copy a case made (an impostor) is no user of its own; a namesake in another pool
            # (AUTH-OTHER-POOL's) is one, with tokens of its own to name.
            if not isinstance(twin, User) or twin.pool.id == user.pool.id:
                return self.names[user.username]
        if name is None:
            self.pool(user.pool)
            name = self._new("user", user, {"": user.username})
        self.tokens(user, Tokens(user.access_token, user.id_token, user.refresh_token))
        for device in user.devices:
            self.device(user, device)
        return name

    def tokens(self, user: User, tokens: Tokens) -> None:
        base = self.known(user)
        if base is None:
            if user.username in self.names:
                return  # an impostor's sign-in: the tokens, if any, are no user's
            base = self.user(user)  # names the user and its current tokens first
        base = base[1:-1]
        for kind, value in (
            ("access", tokens.access_token),
            ("id", tokens.id_token),
            ("refresh", tokens.refresh_token),
        ):
            if value and value not in self.names:
                self._add(value, f"<{self._next(f'{base}.{kind}')}>")
        if tokens.new_device and tokens.new_device[0] not in self.names:
            name = f"<{self._next(f'{base}.new-device')}>"
            self._add(tokens.new_device[0], name)
            self._add(tokens.new_device[1], name[:-1] + ".group>")

    def device(self, user: User, device: Device) -> str:
        owner = (self.known(user) or self.user(user))[1:-1]
        # The key's UUID alone is named too: a case sends variants of a real key (another region).
        uuid = device.key.partition("_")[2]
        return self.known(device) or self._new(
            f"{owner}.device",
            device,
            {"": device.key, "group": device.group_key, "name": device.name, "uuid": uuid or None},
        )

    def minted(self, user: User, token: str) -> None:
        owner = (self.known(user) or self.user(user))[1:-1]
        self._add(token, f"<{self._next(owner + '.minted')}>")

    def forged(self, token: str, recipe: str, sources: tuple[str, ...]) -> None:
        """A forged token named by its recipe and its sources' names; a forgery made of a value with no
        name (no token of a user here) stays unnamed, a secret: its request is not sent again."""
        parts = []
        for source in sources:
            name = self.names.get(source) if source else "<>"  # "": a recipe's unused token
            if name is None or not (name == "<>" or NAME.fullmatch(name)):
                return
            parts.append(name[1:-1])
        self._add(token, f"<forged:{recipe}:{','.join(parts)}>")

    def name_of(self, obj: Any) -> Any:
        """An action argument as a recording holds it: a user, device or pool by its name."""
        if isinstance(obj, User):
            name = self.user(obj)
            known = self.objects.get(name)
            if isinstance(known, User) and known is not obj and known.password != obj.password:
                return name + WRONG_PASSWORD
            return name
        if isinstance(obj, Pool):
            return self.pool(obj)
        if isinstance(obj, Device):
            device = self.known(obj)
            if device is None:  # a copy of a named device with another password (a wrong device proof)
                twin = next(
                    (n for n, o in self.objects.items() if isinstance(o, Device) and o.key == obj.key), None
                )
                if twin is not None and self.objects[twin].password != obj.password:
                    return twin + WRONG_PASSWORD
            return device or "<unknown device>"
        return obj

    # --- text ----------------------------------------------------------------------------------------

    def abstract(self, text: str) -> str:
        """Every known value replaced by its name, then the run's prefix and the region."""
        if self._pattern is None:
            values = sorted((v for v in self.names if len(v) >= MIN_LENGTH), key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in values)) if values else None
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: self.names[m.group(0)], text)
        return text.replace(self.region, "<region>") if self.region else text

    def opaque(self, text: str) -> str:
        """An answer's target-made ids named too (`<id-1>`, in the order they are first met)."""

        def name(match: re.Match[str]) -> str:
            value = match.group(0)
            if value not in self.names:
                self._add(value, f"<{self._next('id')}>")
            return self.names[value]

        return OPAQUE_ID.sub(name, text)

    def concrete(self, text: str) -> str:
        """Every name replaced by this side's value, a forgery forged again from this side's tokens;
        Unresolved names the first it does not know."""

        def value(match: re.Match[str]) -> str:
            name = match.group(0)
            if name == "<region>":
                return self.region
            if name not in self.values:
                raise Unresolved(name)
            return self.values[name]

        # Forgeries first: their names hold names (without <>), and a forged token holds no `<`.
        return NAME.sub(value, FORGED.sub(self._forge_again, text))

    def _forge_again(self, match: re.Match[str]) -> str:
        """The same recipe applied to this side's tokens of the same names (only a recipe of
        forgery.py: a recording is a shared file, and names no code of its own)."""
        name, recipe = match.group(0), RECIPES.get(match.group(1))
        sources = [f"<{part}>" if part else "" for part in match.group(2).split(",")]
        if recipe is None or len(sources) != 2:
            raise Unresolved(name)
        for source in sources:
            if source and source not in self.values:
                raise Unresolved(source)
        token, other = (self.values[s] if s else "" for s in sources)
        try:
            forged = recipe(token, other)
        except (ValueError, IndexError):  # this side's token is no JWT to forge from
            raise Unresolved(name) from None
        self._add(forged, name)  # an answer that repeats it names it as the recording did
        return forged

    def resolve(self, arg: Any) -> Any:
        """An action argument back to this side's object."""
        if isinstance(arg, str) and arg.endswith(WRONG_PASSWORD):
            named = self.resolve(arg.removesuffix(WRONG_PASSWORD))  # a user or a device
            return replace(named, password=named.password[::-1])
        if isinstance(arg, str) and NAME.fullmatch(arg):
            if arg not in self.objects:
                raise Unresolved(arg)
            return self.objects[arg]
        return arg
