"""Signatures as Standard Webhooks defines them (standardwebhooks.com), so a receiver can check
ours with any of that spec's libraries instead of code of its own.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``: the timestamp is inside the
MAC, so a receiver that refuses old timestamps (the libraries allow five minutes) cannot be fed
a recorded delivery again, and the id ties the signature to one event.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from imports_pipeline.store.webhooks import SECRET_PREFIX


def signature(secret: str, event_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{event_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(secret: str, event_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, event_id, timestamp, body),
        "user-agent": "imports-pipeline-webhooks",
    }
