"""``Idempotency-Key`` on create and submit: a retry gets the first response and does no work twice.

The request is identified by a hash of method, path and body. A form body
(multipart, or urlencoded as an async create without a file is sent) is hashed
by its parsed parts (field names, values, file names and file contents), not its
raw bytes: clients draw a new random boundary for every attempt, so the raw
bytes of a true retry never match, and FastAPI has consumed the stream already.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from imports_pipeline.api.auth import CurrentActor
from imports_pipeline.store.idempotency import IdempotencyStore, StoredResponse

REPLAYED_HEADER = "Idempotent-Replayed"
KEY_DESCRIPTION = (
    "Any unique string (a UUID is fine). A retry with the same key and the same request returns"
    " the first response without doing the work again, for 24 hours; the same key with a different"
    " request is refused with 422 `IDEMPOTENCY_KEY_REUSED`; while the first request still runs,"
    " a retry gets 409 "
    "`IDEMPOTENCY_KEY_IN_USE`. Failed requests are not stored: retrying them runs them again."
)


def fingerprint(method: str, path: str, parts: Iterable[bytes]) -> str:
    """sha256 over length-prefixed parts, so ``("ab", "c")`` and ``("a", "bc")`` differ."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), *parts):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
"""Bodies FastAPI has already read as a form for the route: their raw stream is gone."""


async def _body_parts(request: Request) -> list[bytes]:
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return [await request.body()]
    form = (
        await request.form()
    )  # already parsed (and cached) by FastAPI for the route's Form/File parameters
    parts: list[bytes] = []
    for name, value in sorted(form.multi_items(), key=lambda item: item[0]):
        parts.append(name.encode())
        if isinstance(value, UploadFile):
            content = hashlib.sha256()
            while chunk := await value.read(1 << 20):
                content.update(chunk)
            await value.seek(0)
            parts += [(value.filename or "").encode(), content.digest()]
        else:
            parts.append(value.encode())
    return parts


@dataclass(frozen=True)
class IdempotentCall:
    store: IdempotencyStore
    organization_id: str
    key: str | None
    request_hash: str | None

    def run(self, operation: Callable[[], BaseModel], status_code: int) -> Response:
        """Run ``operation`` once per key; its JSON response is stored and replayed to retries."""
        if self.key is None or self.request_hash is None:
            return _json(operation().model_dump_json().encode(), status_code)
        held = self.store.begin(self.organization_id, self.key, self.request_hash)
        if isinstance(held, StoredResponse):
            return _json(held.body, held.status_code, {REPLAYED_HEADER: "true"})
        try:
            body = operation().model_dump_json().encode()
        except BaseException:
            self.store.release(held)
            raise
        self.store.complete(held, status_code, body)
        return _json(body, status_code)


def _json(body: bytes, status_code: int, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


async def idempotent_call(
    request: Request,
    actor: CurrentActor,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", min_length=1, max_length=255, description=KEY_DESCRIPTION),
    ] = None,
) -> IdempotentCall:
    request_hash = None
    if idempotency_key is not None:
        request_hash = fingerprint(request.method, request.url.path, await _body_parts(request))
    return IdempotentCall(
        request.app.state.idempotency, actor.organization_id, idempotency_key, request_hash
    )


Idempotency = Annotated[IdempotentCall, Depends(idempotent_call)]
