"""Listing what a target holds, to check cleanup by looking, not by trusting the provisioner."""

from __future__ import annotations

from conformance.targets import Target


def held(target: Target, prefix: str) -> list[str]:
    """Names of pools and users on the target that start with `prefix` (and users of those pools)."""
    names: list[str] = []
    backend = target.reference_backend
    if backend is not None:  # the reference has no ListUserPools: read its store
        with backend.store.lock:
            pools = [(p.id, p.name) for p in backend.store.pools.values()]
    else:
        answer = target.call("ListUserPools", {"MaxResults": 60})
        assert answer.ok, answer.summary()
        pools = [(p["Id"], p["Name"]) for p in answer.json["UserPools"]]
    for pool_id, name in pools:
        if name.startswith(prefix):
            names.append(name)
        users = target.call("ListUsers", {"UserPoolId": pool_id})
        assert users.ok, users.summary()
        names += [u["Username"] for u in users.json["Users"] if u["Username"].startswith(prefix)]
    return names
