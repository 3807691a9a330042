"""Many threads at once over HTTP leave consistent state."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

from conformance.reference import RunningServer, start_server

from .conftest import http_client
from .helpers import admin_status, make_world, user_with_device

THREADS = 16


def test_concurrent_updates_leave_consistent_state(server: RunningServer) -> None:
    world = make_world(http_client(server.url))
    owners = [user_with_device(world) for _ in range(6)]
    clients = [http_client(server.url) for _ in range(THREADS)]  # boto3 clients are not shared across threads
    shared_signed_in, shared_device = owners[0]

    def own_device(index: int) -> str:
        """Each of these threads owns one device; its last write must win."""
        signed_in, device = owners[1 + index % 5]
        client = clients[index]
        status = "remembered"
        for _ in range(10):
            status = random.choice(["remembered", "not_remembered"])
            client.update_device_status(
                AccessToken=signed_in.access_token, DeviceKey=device.key, DeviceRememberedStatus=status
            )
        return status

    def hammer_shared(index: int) -> None:
        client = clients[index]
        for n in range(10):
            client.update_device_status(
                AccessToken=shared_signed_in.access_token,
                DeviceKey=shared_device.key,
                DeviceRememberedStatus="remembered" if (n + index) % 2 else "not_remembered",
            )
            client.admin_list_devices(UserPoolId=world.pool_id, Username=shared_signed_in.username)

    with ThreadPoolExecutor(THREADS) as pool:
        own = [pool.submit(own_device, i) for i in range(5)]  # one thread per owned device
        shared = [pool.submit(hammer_shared, i) for i in range(5, THREADS)]
        finals = [f.result() for f in own]
        for f in shared:
            f.result()

    for index, final in enumerate(finals):
        signed_in, device = owners[1 + index]
        assert admin_status(world, signed_in.username, device.key) == final
    assert admin_status(world, shared_signed_in.username, shared_device.key) in (
        "remembered",
        "not_remembered",
    )
    for signed_in, device in owners:
        listed = world.client.admin_list_devices(UserPoolId=world.pool_id, Username=signed_in.username)[
            "Devices"
        ]
        assert [d["DeviceKey"] for d in listed] == [device.key]


def test_concurrent_sign_ins(server: RunningServer) -> None:
    world = make_world(http_client(server.url))
    from .helpers import World, add_user, srp_sign_in

    usernames = [add_user(world) for _ in range(8)]

    def sign_in(username: str) -> str:
        local = World(http_client(server.url), world.pool_id, world.client_id)
        return str(srp_sign_in(local, username).tokens["NewDeviceMetadata"]["DeviceKey"])

    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(sign_in, usernames))
    assert len(set(keys)) == len(keys)


def test_an_accept_with_nothing_waiting_returns_and_the_server_still_stops() -> None:
    """serve_forever accepts when its selector says a connection waits; when none does by then (it went
    away in between), the accept must not block, or shutdown() waits for good."""
    with start_server() as server:
        done = threading.Event()

        def accept_once() -> None:
            server._server._handle_request_noblock()  # what serve_forever calls on a ready selector
            done.set()

        threading.Thread(target=accept_once, daemon=True).start()
        assert done.wait(timeout=5), "accept() blocked with no connection waiting"
        assert (
            http_client(server.url).list_user_pools(MaxResults=1)["ResponseMetadata"]["HTTPStatusCode"] == 200
        )
