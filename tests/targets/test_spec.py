"""Target specs and options: what each opens, and one-line exit-2 errors for the wrong ones."""

from __future__ import annotations

import pytest

from conformance.errors import EXIT_USAGE, SuiteError
from conformance.reference import ReferenceBackend, start_server
from conformance.targets import KINDS, open_target
from conformance.targets.spec import parse_spec


@pytest.mark.parametrize(
    ("spec", "kind", "endpoint", "region"),
    [
        ("reference", "reference", None, None),
        ("reference-http", "reference-http", None, None),
        ("moto", "moto", None, None),
        ("aws", "aws", None, None),
        ("aws:eu-west-1", "aws", None, "eu-west-1"),
        ("http://127.0.0.1:5055", "endpoint", "http://127.0.0.1:5055", None),
        ("http://localhost:9229/", "endpoint", "http://localhost:9229", None),
        ("https://cognito.example.test", "endpoint", "https://cognito.example.test", None),
        ("http://[::1]:8080", "endpoint", "http://[::1]:8080", None),
    ],
)
def test_specs(spec: str, kind: str, endpoint: str | None, region: str | None) -> None:
    parsed = parse_spec(spec)
    assert (parsed.kind, parsed.endpoint, parsed.region) == (kind, endpoint, region)
    assert parsed.kind in KINDS


@pytest.mark.parametrize(
    "spec",
    ["", "refrence", "aws:", "aws:mars", "ftp://x", "http://", "http://h:99999", "http://h:1/path", "moto:x"],
)
def test_bad_specs_are_one_line_usage_errors(spec: str) -> None:
    with pytest.raises(SuiteError) as caught:
        open_target(spec)
    assert caught.value.exit_code == EXIT_USAGE
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("options"), [{"pace": "fast"}, {"timeout": 0}, {"region": "nowhere"}])
def test_bad_options_are_usage_errors(options: dict[str, object]) -> None:
    with pytest.raises(SuiteError) as caught:
        open_target("reference", **options)  # type: ignore[arg-type]
    assert caught.value.exit_code == EXIT_USAGE


def test_reference_defaults() -> None:
    with open_target() as target:
        assert (target.spec, target.kind, target.endpoint, target.region) == (
            "reference",
            "reference",
            None,
            "us-east-1",
        )
        assert not target.paced
        assert target.controls is not None
        assert target.describe() == {"spec": "reference", "kind": "reference", "endpoint": None}


def test_region_option() -> None:
    with open_target("reference", region="eu-central-1") as target:
        pool = target.call("CreateUserPool", {"PoolName": "p"}).json["UserPool"]["Id"]
        assert target.region == "eu-central-1" and pool.startswith("eu-central-1_")


def test_aws_without_credentials_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(SuiteError) as caught:
        open_target("aws:us-east-1")
    assert caught.value.exit_code == EXIT_USAGE and "credentials" in str(caught.value)


def test_aws_without_region_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(SuiteError, match="region"):
        open_target("aws")


def test_aws_opens_without_sending_and_paces_by_default() -> None:
    with open_target("aws:eu-west-1") as target:
        assert target.kind == "aws" and target.region == "eu-west-1"
        assert target.endpoint == "https://cognito-idp.eu-west-1.amazonaws.com"
        assert target.paced and target.controls is None
        assert target.calls.total() == 0
    with open_target("aws:eu-west-1", pace="none") as target:
        assert not target.paced


def test_aws_honours_aws_endpoint_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS_ENDPOINT_URL sends the aws target elsewhere (here a served reference, found by its probe)."""
    with start_server(ReferenceBackend(), "127.0.0.1", 0) as running:
        monkeypatch.setenv("AWS_ENDPOINT_URL", running.url)
        with open_target("aws", pace="none") as target:
            assert target.endpoint == running.url
            assert target.controls is not None
            assert target.call("CreateUserPool", {"PoolName": "p"}).ok
