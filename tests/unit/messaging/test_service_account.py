"""The service account's signed assertion (Google's OAuth2 server-to-server flow)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from retentio.messaging.channels.mobile_push.service_account import (
    FCM_SCOPE,
    ServiceAccount,
    signed_assertion,
)

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
)
KEY_FILE = {
    "type": "service_account",
    "project_id": "shop",
    "private_key_id": "kid-1",
    "private_key": PEM.decode(),
    "client_email": "sender@shop.iam.gserviceaccount.com",
    "token_uri": "https://oauth2.googleapis.com/token",
}


def part(text: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return decoded


def test_the_assertion_is_an_rs256_jwt_for_the_token_uri_living_an_hour() -> None:
    account = ServiceAccount.from_json(json.dumps(KEY_FILE), "channels.fcm.service_account_json")
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    header, claims, signature = signed_assertion(account, FCM_SCOPE, now).split(".")
    assert part(header) == {"alg": "RS256", "typ": "JWT", "kid": "kid-1"}
    assert part(claims) == {
        "iss": "sender@shop.iam.gserviceaccount.com",
        "scope": "https://www.googleapis.com/auth/firebase.messaging",
        "aud": "https://oauth2.googleapis.com/token",
        "iat": 1780315200,
        "exp": 1780318800,
    }
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    KEY.public_key().verify(raw, f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"type": "authorized_user"}, "is not a service account key"),
        ({"client_email": ""}, "lacks client_email"),
        (
            {"private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
            "not a PEM private key",
        ),
    ],
)
def test_a_key_file_that_is_not_a_service_accounts_is_named(changes: dict[str, str], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        ServiceAccount.from_json(json.dumps(KEY_FILE | changes), "channels.fcm.service_account_file")
