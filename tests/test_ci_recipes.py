"""The CI recipes in examples/ work: their shell steps, run in order, gate a target served locally.

Each recipe is read as its CI would read it (PyYAML), and every shell step (a GitHub `run:` block, a
GitLab `before_script` / `script` item) runs with bash, in a directory of its own, as the CI would run
it. The recipes mark what this test does differently, with `# ci-test:` comments:

- `# ci-test: skipped`: the install step (the suite is installed: this interpreter's bin directory
  comes first on PATH);
- `# ci-test: replaced by ...` (GitHub) or the comment on `services:` (GitLab): the emulator. The test
  serves the reference (`serve-reference --port 0` on 127.0.0.1, or a faulty variant of it) and sets
  the recipe's own `TARGET_URL` to it, and `CONFORMANCE_ARGS` to keep the runs short.

The baseline the recipes expect is written first by the commands of examples/README.md ("Write the
baseline first"). `uses:` steps are not run; upload-artifact and download-artifact are played by copying
files, and what they (and the JUnit publishers) point at must exist. Seven runs of about 10 s each.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.targets.servers import stop_subprocess

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent
CLI = [sys.executable, "-m", "conformance.cli"]
SKIPPED = "# ci-test: skipped"
REPLACED = "# ci-test: replaced by"
SHORT_RUN = "--examples 1 --schemathesis 0 --seed 1"  # CONFORMANCE_ARGS: about 7 s a run
FAULT = "wrong-error-type"  # serve-reference --fault: a refusal with another error type (a MUST)
RUN_COMMAND = "cognito-conformance run "
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")

pytestmark = pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("timeout") is None,
    reason="the recipes' wait-until-listening step needs curl and timeout",
)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_", "COGNITO_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def expand(text: str, env: Mapping[str, str]) -> str:
    """`$NAME` and `${NAME}` as the shell (and GitLab, in variables) expands them."""
    return VARIABLE.sub(lambda m: env[m.group(1) or m.group(2)], text)


def bash(script: str, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """A shell step as GitHub's `bash` and GitLab's bash run it: errexit and pipefail."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@contextmanager
def serving(fault: str | None = None) -> Iterator[str]:
    """The reference (or a faulty variant) over HTTP on 127.0.0.1; its URL. Stopped by its pid."""
    command = [*CLI, "serve-reference", "--host", "127.0.0.1", "--port", "0"]
    server = subprocess.Popen(
        [*command, *(["--fault", fault] if fault else [])], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line
        yield line.split("listening on ")[1].split()[0]
    finally:
        stop_subprocess(server)


def readme_first_time_commands() -> str:
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Write the baseline first") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return block.group(1)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """conformance-baseline.toml, written by examples/README.md's commands against the reference."""
    workspace = tmp_path_factory.mktemp("first-time")
    with serving() as url:
        env = base_env() | {"TARGET_URL": url, "CONFORMANCE_ARGS": SHORT_RUN}
        done = bash(readme_first_time_commands(), workspace, env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    path = workspace / "conformance-baseline.toml"
    assert path.is_file() and "[cases." in path.read_text(encoding="utf-8")
    return path


def place_baseline(run_script: str, env: Mapping[str, str], workspace: Path, baseline: Path) -> Path:
    """Put the baseline where the run step's --baseline expects the committed one."""
    found = re.search(r'--baseline\s+"?([^"\s]+)"?', run_script)
    assert found, f"the run step gates on a baseline: {run_script}"
    target = workspace / expand(found.group(1), env)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(baseline, target)
    return target


def check_run_line(script: str) -> None:
    """The gate's command line: the recipe's variables, so that the test's substitutions reach it."""
    for needed in ('--target "$TARGET_URL"', "--baseline", "--report-dir", "$CONFORMANCE_ARGS", "--label"):
        assert needed in script, f"{needed} not in {script!r}"


# ---- GitHub Actions ---------------------------------------------------------------------------------


def resolve(value: Any, matrix: Mapping[str, Any]) -> str:
    """A value with `${{ matrix.NAME }}` in it, as GitHub resolves it; no other expression is expected."""

    def one(m: re.Match[str]) -> str:
        expression = m.group(1)
        assert expression.startswith("matrix."), f"the test resolves matrix values only, not {expression}"
        return str(matrix[expression.removeprefix("matrix.")])

    return EXPRESSION.sub(one, str(value))


@dataclass
class StepRun:
    name: str
    script: str
    returncode: int
    output: str


@dataclass
class JobRun:
    env: dict[str, str]
    steps: list[StepRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # steps marked `# ci-test: skipped`
    replaced: list[str] = field(default_factory=list)  # steps marked `# ci-test: replaced by`
    not_run: list[str] = field(default_factory=list)  # after a failure, without `if: always()`
    failed: bool = False

    def step(self, text: str) -> StepRun:
        found = [s for s in self.steps if text in s.script]
        assert len(found) == 1, f"one step runs {text!r}: {[s.name for s in self.steps]}"
        return found[0]


def run_github_job(
    workflow: Mapping[str, Any],
    job_id: str,
    workspace: Path,
    artifacts: dict[str, Path],
    matrix: Mapping[str, Any] | None = None,
    overrides: Mapping[str, str] | None = None,
    baseline: Path | None = None,
) -> JobRun:
    """Run a job's steps in order, as a runner would; `artifacts` (name -> copy) is shared by the jobs."""
    matrix = matrix or {}
    job = workflow["jobs"][job_id]
    env = base_env()
    for scope in (workflow.get("env") or {}, job.get("env") or {}):
        env |= {k: resolve(v, matrix) for k, v in scope.items()}
    env |= dict(overrides or {})
    workspace.mkdir(parents=True, exist_ok=True)
    run = JobRun(env)
    for i, step in enumerate(job["steps"]):
        name = str(step.get("name") or step.get("uses") or f"step {i + 1}")
        if run.failed and "always()" not in str(step.get("if", "")):
            run.not_run.append(name)
            continue
        step_env = env | {k: resolve(v, matrix) for k, v in (step.get("env") or {}).items()}
        if "run" in step:
            script = str(step["run"])
            assert "${{" not in script, f"{name}: a shell step reads the environment, not expressions"
            if SKIPPED in script:
                assert "pip install cognito-conformance" in script, name
                run.skipped.append(name)
                continue
            if REPLACED in script:
                assert "serve-reference" in script, name
                run.replaced.append(name)
                continue
            if RUN_COMMAND in script and baseline is not None:
                place_baseline(script, step_env, workspace, baseline)
            done = bash(script, workspace, step_env)
            run.steps.append(StepRun(name, script, done.returncode, done.stdout + done.stderr))
            run.failed |= done.returncode != 0
            continue
        uses, given = str(step["uses"]), {k: resolve(v, matrix) for k, v in (step.get("with") or {}).items()}
        if uses.startswith("actions/upload-artifact@"):
            source = workspace / given["path"]
            assert source.is_dir(), f"{name}: nothing at {given['path']}"
            copy = workspace.parent / "artifacts" / given["name"]
            shutil.copytree(source, copy)  # a directory's files are at the artifact's root
            artifacts[given["name"]] = copy
        elif uses.startswith("actions/download-artifact@"):
            into = workspace / given.get("path", ".")
            chosen = {n: p for n, p in artifacts.items() if fnmatch.fnmatch(n, given["pattern"])}
            assert chosen, f"{name}: no artifact matches {given['pattern']}"
            for artifact, copy in chosen.items():  # without merge-multiple: one directory each
                shutil.copytree(copy, into / artifact)
        elif uses.startswith("mikepenz/action-junit-report@"):
            assert (workspace / given["report_paths"]).is_file(), f"{name}: no {given['report_paths']}"
        else:
            assert uses.startswith(("actions/checkout@", "actions/setup-python@")), uses
    return run


def check_github_target_job(run: JobRun, expected: int) -> None:
    assert len(run.skipped) == 1 and len(run.replaced) == 1, (run.skipped, run.replaced)
    wait = run.step("curl")
    assert wait.returncode == 0, wait.output
    gate = run.step(RUN_COMMAND)
    check_run_line(gate.script)
    assert gate.returncode == expected, gate.output[-3000:]
    check_gate_output(gate.output, expected)
    assert not run.not_run, f"skipped after the run failed: {run.not_run}"  # uploads: if: always()


def check_gate_output(output: str, expected: int) -> None:
    """The run judged against the baseline: nothing worse (exit 0), or regressions (exit 1)."""
    line = re.search(r"^baseline: \d+ expected, (\d+) regression", output, re.M)
    assert line, output[-3000:]
    assert (int(line.group(1)) > 0) == (expected == 1), line.group(0)


def check_report(directory: Path, label: str) -> dict[str, Any]:
    for name in ("results.json", "junit.xml", "index.html"):
        assert (directory / name).is_file(), f"no {name} in {directory}"
    results: dict[str, Any] = json.loads((directory / "results.json").read_text(encoding="utf-8"))
    assert results["target"]["kind"] == "endpoint" and results["target"].get("label") == label
    return results


def test_github_actions_recipe_passes_a_conformant_target(baseline: Path, tmp_path: Path) -> None:
    workflow = load("github-actions.yml")
    assert list(workflow["jobs"]) == ["conformance"]
    artifacts: dict[str, Path] = {}
    with serving() as url:
        overrides = {"TARGET_URL": url, "CONFORMANCE_ARGS": SHORT_RUN}
        run = run_github_job(workflow, "conformance", tmp_path / "ws", artifacts, None, overrides, baseline)
    check_github_target_job(run, 0)
    check_report(artifacts["conformance-report"], run.env["LABEL"])


def test_github_actions_matrix_recipe_gates_each_target_and_merges_them(
    baseline: Path, tmp_path: Path
) -> None:
    workflow = load("github-actions-matrix.yml")
    job = workflow["jobs"]["conformance"]
    legs = job["strategy"]["matrix"]["include"]
    assert len(legs) >= 2 and job["strategy"]["fail-fast"] is False
    artifacts: dict[str, Path] = {}
    # The first target conformant, the second faulty: its run step exits 1 (a regression), its job fails,
    # and its results still reach the matrix.
    for leg, fault, expected in ((legs[0], None, 0), (legs[1], FAULT, 1)):
        with serving(fault) as url:
            overrides = {"TARGET_URL": url, "CONFORMANCE_ARGS": SHORT_RUN}
            workspace = tmp_path / leg["label"] / "ws"
            run = run_github_job(workflow, "conformance", workspace, artifacts, leg, overrides, baseline)
        check_github_target_job(run, expected)
        check_report(artifacts[f"conformance-{leg['label']}"], leg["label"])
    merge_job = workflow["jobs"]["merge"]
    assert merge_job["needs"] == "conformance" and "always()" in merge_job["if"]
    run = run_github_job(workflow, "merge", tmp_path / "merge" / "ws", artifacts)
    assert len(run.skipped) == 1 and not run.replaced
    merged = run.step("report merge")
    assert merged.returncode == 0, merged.output
    check_matrix(artifacts["matrix-report"], [legs[0]["label"], legs[1]["label"]], merged.output)


def check_matrix(directory: Path, labels: list[str], output: str) -> None:
    page = (directory / "index.html").read_text(encoding="utf-8")
    for label in labels:
        assert f'<th class="target" data-target="{label}">' in page, label
        assert (directory / "targets" / label / "index.html").is_file()
        assert f"\n{label}: " in f"\n{output}", output  # the score lines name them too
    assert 'data-target="http' not in page  # columns named by label, not by the targets' URLs


# ---- GitLab CI --------------------------------------------------------------------------------------


def run_gitlab_job(
    config: Mapping[str, Any],
    job_id: str,
    workspace: Path,
    matrix: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    baseline: Path | None = None,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], list[str]]:
    """before_script and script as one bash session (GitLab's errexit); the done process, the job's
    variables, and the scripts' items the test skipped."""
    job = config[job_id]
    env = base_env()
    env |= {k: str(v) for k, v in (config.get("variables") or {}).items()}
    env |= dict(matrix or {})
    env |= {k: expand(str(v), env) for k, v in (job.get("variables") or {}).items()}
    env |= dict(overrides or {})
    items = [str(item) for item in [*job.get("before_script", []), *job["script"]]]
    skipped = [item for item in items if SKIPPED in item]
    for item in skipped:
        assert "pip install cognito-conformance" in item, item
    kept = [item for item in items if SKIPPED not in item]
    assert not any(REPLACED in item for item in kept)
    workspace.mkdir(parents=True, exist_ok=True)
    if baseline is not None:
        place_baseline(next(i for i in kept if RUN_COMMAND in i), env, workspace, baseline)
    return bash("\n".join(kept), workspace, env), env, skipped


def gitlab_artifacts(job: Mapping[str, Any], workspace: Path, env: Mapping[str, str]) -> list[Path]:
    """The job's artifact files (kept also when the job fails), and its JUnit report there."""
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    found = [p for pattern in artifacts["paths"] for p in workspace.glob(expand(pattern, env))]
    assert found, f"no artifact at {artifacts['paths']}"
    junit = artifacts.get("reports", {}).get("junit")
    if junit:
        assert list(workspace.glob(expand(junit, env))), f"no JUnit report at {junit}"
    return found


def check_gitlab_target_job(
    job: Mapping[str, Any], done: subprocess.CompletedProcess[str], expected: int
) -> None:
    assert RUN_COMMAND in job["script"][-1], "the gate's run is the job's last command: its exit code"
    check_run_line(job["script"][-1])
    assert done.returncode == expected, done.stdout[-3000:] + done.stderr[-2000:]
    check_gate_output(done.stdout, expected)


def test_gitlab_ci_recipe_passes_a_conformant_target(baseline: Path, tmp_path: Path) -> None:
    config = load("gitlab-ci.yml")
    job = config["conformance"]
    assert "ci-test:" in (EXAMPLES / "gitlab-ci.yml").read_text() and job["services"]
    with serving() as url:
        overrides = {"TARGET_URL": url, "CONFORMANCE_ARGS": SHORT_RUN}
        done, env, skipped = run_gitlab_job(config, "conformance", tmp_path, None, overrides, baseline)
    assert len(skipped) == 1
    check_gitlab_target_job(job, done, 0)
    gitlab_artifacts(job, tmp_path, env)
    check_report(tmp_path / "reports" / "conformance", env["LABEL"])


def test_gitlab_ci_matrix_recipe_gates_each_target_and_merges_them(baseline: Path, tmp_path: Path) -> None:
    config = load("gitlab-ci-matrix.yml")
    job = config["conformance"]
    legs = job["parallel"]["matrix"]
    assert len(legs) >= 2
    merge_dir = tmp_path / "merge"
    for leg, fault, expected in ((legs[0], None, 0), (legs[1], FAULT, 1)):
        workspace = tmp_path / leg["LABEL"]
        with serving(fault) as url:
            overrides = {"TARGET_URL": url, "CONFORMANCE_ARGS": SHORT_RUN}
            done, env, skipped = run_gitlab_job(config, "conformance", workspace, leg, overrides, baseline)
        assert len(skipped) == 1
        check_gitlab_target_job(job, done, expected)
        check_report(workspace / "reports" / leg["LABEL"], leg["LABEL"])
        for path in gitlab_artifacts(job, workspace, env):  # needs: artifacts: true, at the same paths
            shutil.copytree(path, merge_dir / path.relative_to(workspace), dirs_exist_ok=True)
    merge_job = config["merge-matrix"]
    assert merge_job["when"] == "always" and merge_job["needs"] == [{"job": "conformance", "artifacts": True}]
    done, env, skipped = run_gitlab_job(config, "merge-matrix", merge_dir)
    assert len(skipped) == 1 and done.returncode == 0, done.stdout + done.stderr
    (matrix,) = gitlab_artifacts(merge_job, merge_dir, env)
    check_matrix(matrix, [legs[0]["LABEL"], legs[1]["LABEL"]], done.stdout)


def test_every_recipe_is_tested_and_says_how_to_write_the_baseline() -> None:
    recipes = sorted(p.name for p in EXAMPLES.glob("*.yml"))
    assert recipes == [
        "github-actions-matrix.yml",
        "github-actions.yml",
        "gitlab-ci-matrix.yml",
        "gitlab-ci.yml",
    ]
    for name in recipes:
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        assert "cognito-conformance baseline write" in text and "examples/README.md" in text, name
        for line in text.splitlines():
            if line.strip().startswith("# ci-test:"):
                assert line.strip().startswith((SKIPPED, REPLACED, "# ci-test: the test serves")), line
