"""Pagination of ListDevices and AdminListDevices (specs/requirements/state.toml, family "pagination"):
Limit caps a page, a walk of the pages gives every device exactly once and ends, and a token issued to
another listing never pages into another user's devices.

The listings page through the run's "pages" user (three remembered devices, never changed: views.py);
a foreign token is sent in a listing of the "states" user, so a device of the "pages" user in the answer
is a device of someone else."""

from __future__ import annotations

from collections import Counter

from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.check import check
from conformance.judge.checks import answered
from conformance.judge.signals import CheckFailure
from conformance.targets.exchange import Exchange

from .common import requirement_id
from .views import LISTINGS, PAGES, STATES, Walk, kept_user, keys, list_request, page_of, walk

INVALID = "InvalidParameterException"
# Limits sent: the smallest, one the three devices still overflow, the model's largest (0..60).
LIMITS = (1, 2, 60)
FORGED = "1"  # a page number as a token: what an implementation with integer tokens accepts from anyone


@check()
def within_limit(requirement: str, exchange: Exchange, limit: int) -> str:
    """A page of a listing holds at most Limit devices."""
    answered(exchange, requirement)
    page = page_of(exchange)
    if page.devices is None:
        raise CheckFailure(requirement, f"a page of at most {limit} device(s)", exchange.summary(), exchange)
    if len(page.devices) > limit:
        raise CheckFailure(
            requirement, f"at most {limit} device(s) with Limit {limit}", f"{len(page.devices)}", exchange
        )
    return f"Limit {limit}: {len(page.devices)} device(s){' and a token' if page.token else ''}"


@check()
def each_once(requirement: str, listing: Walk, expected: frozenset[str]) -> str:
    """The pages of a walk hold each expected device exactly once, and the walk ends."""
    if listing.broken is not None:
        answer = listing.broken.exchange
        raise CheckFailure(requirement, "every page a device list", answer.summary(), answer)
    counts = Counter(k for k in listing.keys if isinstance(k, str))
    missing = sorted(expected - set(counts))
    twice = sorted(k for k, n in counts.items() if n > 1)
    problems = [f"{len(missing)} device(s) missing"] if missing else []
    problems += [f"{len(twice)} device(s) on two pages or more"] if twice else []
    problems += [] if listing.ended else [f"no page without a token in {len(listing.pages)} pages"]
    if problems:
        raise CheckFailure(
            requirement,
            f"each of {len(expected)} devices once, then a page without token",
            f"{'; '.join(problems)} ({listing.summary()})",
            listing.last,
        )
    return f"each of {len(expected)} devices once ({listing.summary()})"


@check()
def foreign_token_refused(requirement: str, exchange: Exchange, mine: frozenset[str], what: str) -> str:
    """A token of another listing never lists a device that is not the listed user's (MUST); it is
    refused with InvalidParameterException (SHOULD: no page says what it gets)."""
    answered(exchange, requirement)
    expected = f"{INVALID} for {what}"
    if exchange.ok:
        strangers = [k for k in page_of(exchange).keys if k not in mine]
        if strangers:
            got = f"accepted, listing {len(strangers)} device(s) of another user"
            raise CheckFailure(requirement, f"no device of another user for {what}", got, exchange)
        raise CheckFailure(requirement, expected, "accepted (only the user's devices)", exchange, soft=True)
    if exchange.error_type != INVALID:
        raise CheckFailure(requirement, expected, exchange.summary(), exchange, soft=True)
    return f"{what}: {exchange.summary()}"


def page_limit(ctx: CaseContext) -> None:
    req, operation = ctx.requirement, ctx.requirement.operation
    user = kept_user(ctx, PAGES)
    for limit in LIMITS[:1] if ctx.budgeted else LIMITS:
        ctx.verify(
            within_limit, req.id, ctx.call(operation, list_request(user, operation, Limit=limit)), limit
        )


def exactly_once(ctx: CaseContext) -> None:
    req, operation = ctx.requirement, ctx.requirement.operation
    user = kept_user(ctx, PAGES)
    # Three devices, a page each: a fourth page (empty, without token) is the most a walk may need.
    listing = walk(ctx, user, operation, limit=1, max_pages=len(user.devices) + 1)
    ctx.verify(each_once, req.id, listing, keys(user))


def foreign_token(ctx: CaseContext) -> None:
    req, operation = ctx.requirement, ctx.requirement.operation
    other = next(o for o in LISTINGS if o != operation)
    owner, caller = kept_user(ctx, PAGES), kept_user(ctx, STATES)
    # Tokens issued to the "pages" user's listings (three devices, Limit 1: a token comes), by this
    # operation and by the other one; and a forged one.
    tokens: dict[str, str] = {}
    for issuer, what in (
        (operation, f"a token of another user's {operation}"),
        (other, f"a token of {other}"),
    ):
        if issuer == other and ctx.session.unimplemented(other) is not None:
            continue
        token = page_of(ctx.call(issuer, list_request(owner, issuer, Limit=1))).token
        if token is not None:
            tokens[what] = token
    tokens[f"a forged token ({FORGED!r})"] = FORGED
    for what, token in tokens.items():
        exchange = ctx.call(operation, list_request(caller, operation, Limit=1, PaginationToken=token))
        ctx.verify(foreign_token_refused, req.id, exchange, keys(caller), what)


def no_limit(ctx: CaseContext) -> None:
    operation = ctx.requirement.operation
    user = kept_user(ctx, PAGES)
    for sent, extra in (("no Limit", {}), ("Limit 0", {"Limit": 0})):
        exchange = ctx.call(operation, list_request(user, operation, **extra))
        page = page_of(exchange)
        ctx.observe(
            {
                "sent": sent,
                "answer": exchange.summary(),
                "devices": None if page.devices is None else f"{len(page.devices)} of {len(user.devices)}",
                "PaginationToken": page.token is not None,
            }
        )


for _operation in LISTINGS:
    case(requirement_id(_operation, "PAGE-LIMIT"))(page_limit)
    case(requirement_id(_operation, "PAGE-EXACTLY-ONCE"))(exactly_once)
    case(requirement_id(_operation, "PAGE-FOREIGN-TOKEN"))(foreign_token)
    case(requirement_id(_operation, "PAGE-NO-LIMIT"))(no_limit)
