"""A small run for the interrupt tests: provision users against ENDPOINT until told to stop.

    python -m tests.provisioning.driver ENDPOINT RUN_ID COUNT

Prints `provisioning user N` before each user and `done` at the end (flushed), logs at INFO to stderr.
Exit: 0 done, 130 on Ctrl-C (SIGINT), 143 on SIGTERM (install_cleanup's SystemExit).
"""

from __future__ import annotations

import logging
import sys

from conformance.provisioning import Provisioner, install_cleanup
from conformance.targets import open_target


def main(endpoint: str, run_id: str, count: int) -> int:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)  # botocore's DEBUG too: must be redacted
    with open_target(endpoint) as target:
        provisioner = Provisioner(target, run_id=run_id)
        try:
            with install_cleanup(provisioner):
                for n in range(1, count + 1):
                    print(f"provisioning user {n}", flush=True)
                    provisioner.user(devices=1)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            return 130
        print("done", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
