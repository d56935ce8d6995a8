"""The request signature shared by clients and the server.

``signature = hex(HMAC-SHA256(signing_secret, METHOD + "|" + path_with_query + "|" + timestamp + "|" + body))``
sent as ``X-Lakay-Signature`` with ``X-Lakay-Timestamp`` (Unix seconds) and
``Authorization: ApiKey <key>``.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Lakay-Timestamp"
SIGNATURE_HEADER = "X-Lakay-Signature"


def signature_for(*, secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    message = f"{method.upper()}|{path}|{timestamp}|".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    *, api_key: str, secret: str, method: str, path: str, body: bytes = b"", timestamp: int | None = None
) -> dict[str, str]:
    """Headers a client sends (used by the simulator, tests and benchmarks)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Authorization": f"ApiKey {api_key}",
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: signature_for(secret=secret, method=method, path=path, timestamp=stamp, body=body),
    }
