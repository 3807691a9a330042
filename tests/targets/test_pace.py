"""`--pace aws` against a served reference: the call log shows UserResourceUpdate at or under 25 rps."""

from __future__ import annotations

import threading
import time

from conformance.targets import open_target

UDS = {"AccessToken": "not-a-token", "DeviceKey": "us-east-1_0-1", "DeviceRememberedStatus": "remembered"}


def test_pace_aws_keeps_user_resource_update_within_quota() -> None:
    with open_target("reference-http", pace="aws") as target:
        started = time.monotonic()

        def fire(n: int) -> None:
            for _ in range(n):
                target.call("UpdateDeviceStatus", UDS)

        threads = [threading.Thread(target=fire, args=(15,)) for _ in range(4)]  # 60 calls from 4 threads
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - started
        target.call("ConfirmDevice", {"AccessToken": "x", "DeviceKey": "us-east-1_0-1"})  # same category
        peaks = target.calls.peak_rps_by_quota_category()
        assert target.calls.by_operation() == {"ConfirmDevice": 1, "UpdateDeviceStatus": 60}
        assert 20 <= peaks["UserResourceUpdate"] <= 25
        assert took >= 59 / 25 * 0.99


def test_unpaced_reference_is_not_slowed() -> None:
    with open_target("reference-http") as target:
        for _ in range(60):
            target.call("UpdateDeviceStatus", UDS)
        assert target.calls.peak_rps_by_quota_category()["UserResourceUpdate"] > 25
