"""The documented `st run` command, exactly as written there, exits 0 against `serve-reference`.

The command is read from docs/schemathesis.md ("The contract as OpenAPI, for schemathesis"), so the two
cannot drift apart; only the port (5055 there, a free one here) and the `st` entry point (this interpreter's
schemathesis) change. About 20 s: nearly all of it schemathesis's coverage phase.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "schemathesis.md"
CLI = [sys.executable, "-m", "conformance.cli"]
README_URL = "http://127.0.0.1:5055"


def readme_commands() -> list[str]:
    """The shell lines of the documented schemathesis block, continuation lines joined."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## The contract as OpenAPI, for schemathesis") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line.strip() for line in block.group(1).replace("\\\n", " ").splitlines() if line.strip()]


def test_the_readme_st_run_command_exits_0_against_serve_reference(tmp_path: Path) -> None:
    lines = readme_commands()
    assert lines[:2] == [
        "cognito-conformance openapi > openapi.json",
        "cognito-conformance serve-reference --port 5055 &",
    ]
    words = shlex.split(lines[2])
    env = dict(os.environ)
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert words[:2] == ["st", "run"] and README_URL in words
    command = [sys.executable, "-m", "schemathesis.cli", *words[1:]]
    command[command.index(README_URL)] = "{url}"

    document = subprocess.run([*CLI, "openapi"], capture_output=True, text=True, timeout=60, check=True)
    (tmp_path / "openapi.json").write_text(document.stdout, encoding="utf-8")
    server = subprocess.Popen(
        [*CLI, "serve-reference", "--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split("listening on ")[1].split()[0]
        command[command.index("{url}")] = url
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False
        )
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
