"""Leftovers: the provisioner's sweep deletes a pool no answer named to it, and a managed run against a
served reference leaves nothing behind, whether it ends normally, with FAILs or by Ctrl-C.

Everything is checked from outside, through the target's listings (ListUserPools, ListUserPoolClients,
ListUsers), never by reading the reference's store.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.provisioning import FixtureUnavailable, Provisioner
from conformance.reference import ReferenceBackend, start_server
from conformance.reference.faults import FaultyBackend
from conformance.targets import Exchange, Target, open_target
from tests.engine.conftest import CLI, ENV, cli
from tests.holding import Holding, nth, signal_when_held

from .helpers import held, held_at

FOREIGN_POOLS = 60  # one full ListUserPools page (the sweep's MaxResults): the sweep must follow NextToken


def lose_answers(target: Target, operation: str, count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next `count` answers to `operation` are lost after the target acted on the request: what a
    provisioner sees when the connection drops (or it is killed) between CreateUserPool and recording."""
    real: Callable[[str, dict[str, Any]], Exchange] = target.provision_call
    left = [count]

    def provision_call(name: str, params: dict[str, Any]) -> Exchange:
        exchange = real(name, params)
        if name != operation or left[0] == 0:
            return exchange
        left[0] -= 1
        return Exchange(
            name, exchange.request_headers, exchange.request_body, error="connection reset by peer"
        )

    monkeypatch.setattr(target, "provision_call", provision_call)


def pool_names(target: Target) -> list[str]:
    """Every pool's name, through ListUserPools (all pages)."""
    names: list[str] = []
    token: str | None = None
    while True:
        answer = target.call("ListUserPools", {"MaxResults": 60, **({"NextToken": token} if token else {})})
        assert answer.ok, answer.summary()
        names += [p["Name"] for p in answer.json["UserPools"]]
        token = answer.json.get("NextToken")
        if not token:
            return names


def test_the_sweep_deletes_a_created_pool_whose_answer_was_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    with open_target("reference") as target:
        provisioner = Provisioner(target, run_id="sweep")
        neighbour = Provisioner(
            target, run_id="sweep-2"
        )  # a concurrent run: its names start "ccf-sweep-" too
        lose_answers(target, "CreateUserPool", 2, monkeypatch)
        with pytest.raises(FixtureUnavailable, match="CreateUserPool failed"):
            provisioner.pool()  # created on the target, never recorded: first in ListUserPools' order
        for n in range(FOREIGN_POOLS):
            assert target.call("CreateUserPool", {"PoolName": f"someone-elses-{n}"}).ok
        with pytest.raises(FixtureUnavailable, match="CreateUserPool failed"):
            provisioner.pool()  # the second lost one lands on ListUserPools' second page
        lived = neighbour.pool()
        recorded = provisioner.user(devices=1)  # this time the answer arrives: recorded, deleted by name
        assert provisioner.created.unanswered_pool_creations == 2
        assert [p.id for p in provisioner.created.pools] == [recorded.pool.id]
        ours = sorted(held(target, "ccf-sweep-pool-"))
        assert ours == ["ccf-sweep-pool-1", "ccf-sweep-pool-2", "ccf-sweep-pool-3"]

        provisioner.close()

        assert provisioner.leftovers == []
        assert held(target, "ccf-sweep-") == [lived.name]  # the other run's pool is not ours to delete
        names = pool_names(target)
        assert sorted(names) == sorted([f"someone-elses-{n}" for n in range(FOREIGN_POOLS)] + [lived.name])
        neighbour.close()
        assert held(target, "ccf-sweep-") == []


def run_summary(report_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((report_dir / "results.json").read_text())
    return results


@pytest.mark.parametrize(
    ("backend", "code"),
    [(ReferenceBackend, 0), (lambda: FaultyBackend("other-users-device"), 1)],
    ids=["normal-end", "with-fails"],
)
def test_a_managed_run_leaves_nothing(
    tmp_path: Path, backend: Callable[[], ReferenceBackend], code: int
) -> None:
    with start_server(backend(), "127.0.0.1", 0) as running:
        result = cli("run", "--target", running.url, "--case", "RES-*", "--report-dir", str(tmp_path))
        left = held_at(running.url)
    assert result.returncode == code, result.stdout[-2000:] + result.stderr[-2000:]
    summary = run_summary(tmp_path)
    created = summary["calls"]["by_operation"]
    assert created.get("CreateUserPool", 0) >= 1 and created.get("AdminCreateUser", 0) >= 1  # not vacuous
    verdicts = {case["id"]: case["verdict"] for case in summary["cases"]}
    if code == 1:
        assert verdicts["RES-OTHER-USER-DEVICE"] == "FAIL"
    else:
        assert "FAIL" not in verdicts.values()
    assert left == []


def test_ctrl_c_mid_run_leaves_nothing(tmp_path: Path) -> None:
    # One property case, held at its fifth UpdateDeviceStatus: its pool and user exist, and the run is
    # waiting on that request when the signal comes, however fast the machine.
    backend = Holding(nth("UpdateDeviceStatus", 5))
    with start_server(backend, "127.0.0.1", 0) as running:
        command = [*CLI, "run", "--target", running.url, "--case", "VAL-STATUS-ENUM", "--examples", "50"]

        def made_a_pool_and_a_user() -> None:
            seen = held_at(running.url, "ccf-")
            assert any("-pool-" in n for n in seen) and any("-user-" in n for n in seen), seen

        code, output, _ = signal_when_held(
            backend,
            [*command, "--report-dir", str(tmp_path)],
            signal.SIGINT,
            env=ENV,
            at_hold=made_a_pool_and_a_user,
            merge_stderr=True,
            timeout=60,
        )
        left = held_at(running.url)
    assert code == 130, output[-2000:]  # interrupted, not finished
    assert "Traceback" not in output
    assert left == []
