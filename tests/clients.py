"""boto3 as anyone would point it at an endpoint: dummy credentials, us-east-1, one attempt."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config


def plain_client(url: str, *, validate: bool = True) -> Any:
    """`validate=False` lets invalid parameters reach the server (botocore would refuse them first)."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=validate, retries={"total_max_attempts": 1}),
    )
