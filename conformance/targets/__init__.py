"""Targets: anything that answers the Cognito API (reference, reference-http, moto, endpoint, aws).

`open_target(spec)` gives a `Target`: `call` (botocore, one request, an Exchange whatever happens),
`send_raw` (exact bytes), `provision_call` (provisioning only: retried while throttled), `calls` (the
call log), `controls` (the reference's test-control path when the target has one), `close`.
"""

from __future__ import annotations

from ..errors import TargetUnreachable
from .calllog import CallLog, CallRecord
from .controls import ControlError, TargetControls
from .exchange import Exchange
from .pacing import Pacer
from .quotas import QUOTA_CATEGORY, QUOTA_RPS, category_of
from .spec import KINDS
from .target import RawUnsupported, Target, open_target

__all__ = [
    "KINDS",
    "QUOTA_CATEGORY",
    "QUOTA_RPS",
    "CallLog",
    "CallRecord",
    "ControlError",
    "Exchange",
    "Pacer",
    "RawUnsupported",
    "Target",
    "TargetControls",
    "TargetUnreachable",
    "category_of",
    "open_target",
]
