"""`BackendState`: what one reference backend holds (store, clock, settings) and its identifier makers.

The handlers, sessions and controls take a `BackendState`; `backend.ReferenceBackend` adds `handle()`
(the wire). Keeping the two apart leaves no import cycle: this module imports nothing that handles
requests.
"""

from __future__ import annotations

import secrets
import string
import time
import uuid
from collections.abc import Callable

from .store import Store

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


class BackendState:
    """State plus the settings tests may change.

    `clock` returns epoch seconds (inject a fake one to test expiry without waiting).
    `access_token_validity`, when set, overrides every app client's access-token validity (seconds), so
    expiry can be tested in seconds although AWS's minimum is 5 minutes.
    """

    def __init__(
        self,
        region: str = "us-east-1",
        *,
        account_id: str = "123456789012",
        clock: Callable[[], float] = time.time,
        access_token_validity: int | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.clock = clock
        self.access_token_validity = access_token_validity
        self.store = Store()

    def now(self) -> float:
        return self.clock()

    def issuer(self, pool_id: str) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{pool_id}"

    # --- identifiers in AWS's forms -------------------------------------------------------------------

    def new_pool_id(self) -> str:
        """`us-east-1_AbC123xYz`: region, underscore, 9 letters and digits."""
        return f"{self.region}_" + "".join(secrets.choice(_ALNUM) for _ in range(9))

    def new_device_key(self) -> str:
        """`{region}_{uuid4}`, lowercase hex, so it matches the model's pattern `[\\w-]+_[0-9a-f-]+`."""
        return f"{self.region}_{uuid.uuid4()}"

    @staticmethod
    def new_device_group_key() -> str:
        return "-" + "".join(secrets.choice(_ALNUM) for _ in range(9))

    @staticmethod
    def new_client_id() -> str:
        return "".join(secrets.choice(_LOWER_ALNUM) for _ in range(26))

    @staticmethod
    def new_client_secret() -> str:
        return "".join(secrets.choice(_LOWER_ALNUM) for _ in range(51))
