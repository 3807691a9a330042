"""The one exception every handler raises: a Cognito error type, its message and an HTTP status."""

from __future__ import annotations


class CognitoError(Exception):
    """An error answered as awsJson1_1: `{"__type": type, "message": message}` with `status`.

    Client errors are 400 (AWS answers throttling with 400 too); server faults are 500.
    """

    def __init__(self, type_: str, message: str, status: int = 400) -> None:
        super().__init__(f"{type_}: {message}")
        self.type = type_
        self.message = message
        self.status = status


def invalid_parameter(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)


def not_authorized(message: str) -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


def resource_not_found(message: str) -> CognitoError:
    return CognitoError("ResourceNotFoundException", message)


# Messages seen from real Cognito (specs/sources/aws-behaviour.md), in one place so tests can cite them.
DEVICE_DOES_NOT_EXIST = "Device does not exist."
INVALID_DEVICE_KEY = "Invalid device key given."
INVALID_ACCESS_TOKEN = "Invalid Access Token"
TOKEN_EXPIRED = "Access Token has expired"
TOKEN_REVOKED = "Access Token has been revoked"
TOKEN_SCOPES = "Access Token does not have required scopes"
INCORRECT_CREDENTIALS = "Incorrect username or password."
USER_DOES_NOT_EXIST = "User does not exist."
USER_DISABLED = "User is disabled."
PASSWORD_RESET_REQUIRED = "Password reset required for the user"
