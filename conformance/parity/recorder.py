"""Recording a run: every exchange, keyed by case, attempt and step, with run-specific values named.

Two kinds of step:
- an *action*: a provisioning action a case asked for (a user, a device, a sign-in, a revocation, ...),
  with its arguments by name and what it made. Its exchanges are kept (status and error type), but a
  replay performs the action on its own target instead of resending them: an SRP sign-in cannot be
  resent, it has to be computed again.
- a *request*: anything else a case sent, as sent, and the answer. It is *replayable* when naming left
  no secret in it (an SRP proof is not; such steps are kept, redacted). A token a case forged is named
  by its recipe (`forged`), so its request is replayable: a replay forges its own and sends it.

Nothing secret is written: names first, then the suite's redaction over everything.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.contract.model import pinned
from conformance.provisioning.model import Device, Pool, Tokens, User
from conformance.provisioning.signin import SignInTrace
from conformance.secrets import JWT_PLACEHOLDER, redact, redact_obj
from conformance.targets.exchange import Exchange

from .placeholders import Placeholders

FORMAT = "cognito-conformance-recording/1"
SENT_HEADERS = ("content-type", "x-amz-target")  # what a replay sends again (the rest is transport)
# Where a request carried a SigV4 signature, its recording says so (never the signature): a replay signs
# it again with its own credentials (the admin operations refuse an unsigned request).
SIGNED_HEADER, SIGNED = "Authorization", "<sigv4>"
KEPT_HEADERS = ("content-type", "x-amzn-errortype")  # what an answer is compared on, besides its body
RUN = "(run)"  # steps outside any case: the cleanup at the end
# Stricter than the suite's redaction, for a file meant to be shared: a JWT's payload and signature
# without its header (a token a case broke) are a token too.
TOKEN_REMNANT = re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}(?:\.[A-Za-z0-9_\-]*)?")


def scrub(text: str) -> str:
    """What goes into a recording: the suite's redaction, then token remnants."""
    return TOKEN_REMNANT.sub(JWT_PLACEHOLDER, redact(text))


def normalise(value: Any) -> Any:
    """Dates and request ids vary from run to run: they are kept as `<date>`, `<request-id>`."""
    if isinstance(value, dict):
        return {
            k: "<date>" if k.endswith("Date") else "<request-id>" if k == "RequestId" else normalise(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def answer_of(exchange: Exchange, names: Placeholders) -> dict[str, Any]:
    """An answer as a recording holds it (and as a replay compares it): named, normalised, redacted."""
    if not exchange.answered:
        return {"status": None, "error": redact(names.abstract(exchange.error or ""))}
    text = names.opaque(names.abstract(exchange.body.decode("utf-8", "replace")))
    try:
        body: Any = normalise(json.loads(text)) if text.strip() else None
    except ValueError:
        body = text
    answer: dict[str, Any] = redact_obj(
        {
            "status": exchange.status,
            "headers": {k: names.abstract(v) for k, v in exchange.headers.items() if k in KEPT_HEADERS},
            "body": body,
        }
    )
    return answer


RECOMPUTED = "DeviceSecretVerifierConfig"  # a ConfirmDevice's verifier: a replay computes its own


def request_of(exchange: Exchange, names: Placeholders) -> tuple[dict[str, Any], bool]:
    """A request as sent, named; and whether it can be sent again (no secret left in it once named,
    a device verifier aside: a replay makes a new one for its own device key)."""
    headers = {k: names.abstract(v) for k, v in exchange.request_headers.items() if k.lower() in SENT_HEADERS}
    if any(k.lower() == "authorization" for k in exchange.request_headers):
        headers[SIGNED_HEADER] = SIGNED
    body = names.abstract(exchange.request_body.decode("utf-8", "replace"))
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    checked = body
    if isinstance(parsed, dict) and RECOMPUTED in parsed:
        checked = json.dumps({k: v for k, v in parsed.items() if k != RECOMPUTED})
    replayable = scrub(checked) == checked and all(scrub(v) == v for v in headers.values())
    return {"headers": redact_obj(headers), "body": scrub(body)}, replayable


@dataclass
class Step:
    case: str
    attempt: int
    index: int
    kind: str  # "request" or "action"
    operation: str | None = None
    request: dict[str, Any] | None = None
    replayable: bool = False
    answer: dict[str, Any] | None = None
    action: dict[str, Any] | None = None  # name, args, made (names), error
    exchanges: list[dict[str, Any]] = field(default_factory=list)  # an action's, in short

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "case": self.case,
            "attempt": self.attempt,
            "step": self.index,
            "kind": self.kind,
        }
        if self.kind == "request":
            data |= {
                "operation": self.operation,
                "request": self.request,
                "replayable": self.replayable,
                "answer": self.answer,
            }
        else:
            data |= {"action": self.action, "exchanges": self.exchanges}
        return data


class Recorder:
    """Observes a Target (every exchange) and a Provisioner (its actions); `write` saves the recording."""

    def __init__(self, names: Placeholders, *, target: Any, settings: dict[str, Any]) -> None:
        self.names = names
        self.target = target
        self.settings = settings
        self.steps: list[Step] = []
        self._case = RUN
        self._attempt = 1
        self._counts: dict[tuple[str, int], int] = {}
        self._action: Step | None = None
        self._depth = 0
        self._lock = threading.RLock()
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")

    # --- where we are ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def case(self, case_id: str, attempt: int) -> Iterator[None]:
        with self._lock:
            self._case, self._attempt = case_id, attempt
        try:
            yield
        finally:
            with self._lock:
                self._case, self._attempt = RUN, 1

    def _step(self, kind: str) -> Step:
        key = (self._case, self._attempt)
        self._counts[key] = self._counts.get(key, 0) + 1
        step = Step(self._case, self._attempt, self._counts[key], kind)
        self.steps.append(step)
        return step

    # --- what happens --------------------------------------------------------------------------------

    def observe(self, exchange: Exchange) -> None:
        """Every exchange the Target makes (schemathesis's worker threads included)."""
        with self._lock:
            if self._action is not None:
                self._action.exchanges.append(
                    {"operation": exchange.operation, "status": exchange.status, "error": exchange.error_type}
                )
                return
            step = self._step("request")
            step.operation = exchange.operation
            step.request, step.replayable = request_of(exchange, self.names)
            step.answer = answer_of(exchange, self.names)

    @contextlib.contextmanager
    def action(
        self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Iterator[Callable[[Any], None]]:
        """A provisioning action (the outermost one: `user` confirms devices by itself)."""
        with self._lock:
            self._depth += 1
            outer = self._depth == 1
            step = None
            if outer:
                for arg in (*args, *kwargs.values()):
                    self._name(arg)
                step = self._step("action")
                step.action = {
                    "name": name,
                    "args": [self.names.name_of(a) for a in args],
                    "kwargs": {k: self.names.name_of(v) for k, v in kwargs.items()},
                }
                self._action = step

        def made(result: Any) -> None:
            if step is not None and step.action is not None:
                self._name(result, owner=args[0] if args else None)
                step.action["made"] = redact_obj(self.made_of(result))

        try:
            yield made
        except Exception as exc:
            if step is not None and step.action is not None:
                step.action["error"] = f"{type(exc).__name__}: {redact(self.names.abstract(str(exc)))}"
            raise
        finally:
            with self._lock:
                self._depth -= 1
                if outer:
                    self._action = None
                    for obj in list(self.names.objects.values()):  # tokens a sign-in changed
                        if isinstance(obj, User):
                            self.names.user(obj)

    def forged(self, token: str, recipe: str, sources: tuple[str, str]) -> None:
        """A case forged `token` from `sources` by `recipe` (conformance/cases/forgery.py): named by
        how it was made, never kept (the cases' ForgeryRecorder)."""
        with self._lock:
            self.names.forged(token, recipe, sources)

    def _name(self, obj: Any, owner: Any = None) -> None:
        if isinstance(obj, User):
            self.names.user(obj)
        elif isinstance(obj, Pool):
            self.names.pool(obj)
        elif isinstance(obj, Device) and isinstance(owner, User):
            self.names.user(owner)
            self.names.device(owner, obj)
        elif isinstance(obj, Tokens) and isinstance(owner, User):
            self.names.tokens(owner, obj)
        elif isinstance(obj, SignInTrace) and obj.tokens is not None and isinstance(owner, User):
            self.names.tokens(owner, obj.tokens)
        elif isinstance(obj, str) and isinstance(owner, User):
            self.names.minted(owner, obj)

    def made_of(self, result: Any) -> Any:
        """What an action made, by name (a token by the name of its value)."""
        if isinstance(result, (User, Device, Pool)):
            return self.names.name_of(result)
        if isinstance(result, Tokens):
            return {
                "access_token": self.names.abstract(result.access_token),
                "challenges": list(result.challenges),
            }
        if isinstance(result, SignInTrace):  # a sign-in judged in parts: compared by how it went
            last = result.last
            return {
                "access_token": self.names.abstract(result.tokens.access_token) if result.tokens else None,
                "challenges": list(result.challenges),
                "stopped_at": result.stopped_at,
                "error_type": last.error_type if last is not None and not last.ok else None,
            }
        if isinstance(result, str):
            return self.names.abstract(result)
        return None

    # --- the file ------------------------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "recorded_at": self.started_at,
            "suite_version": __version__,
            "model": {"botocore": pinned().botocore_version},
            "target": {"kind": self.target.kind, "region": self.target.region},
            "settings": self.settings,
            "steps": [s.as_json() for s in self.steps],
        }

    def write(self, path: Path) -> None:
        text = scrub(json.dumps(self.document(), indent=1))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
