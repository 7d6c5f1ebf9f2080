"""Who is calling: ``x-api-key`` + ``x-organization-id`` on every request, checked against the
key store, or the web importer's embed token (``api/embed_tokens.py``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from imports_pipeline.errors import (
    InvalidApiKeyError,
    InvalidEmbedTokenError,
    InvalidSignedLinkError,
    OrganizationMismatchError,
    OutsideEmbedScopeError,
    SignedLinkExpiredError,
)
from imports_pipeline.sessions import ImportService
from imports_pipeline.store.api_keys import ApiKeyStore
from imports_pipeline.vocabulary import Actor, ActorType

# auto_error=False: a missing header must answer the contract's 401 body, not FastAPI's 403.
api_key_header = APIKeyHeader(
    name="x-api-key",
    scheme_name="ApiKey",
    auto_error=False,
    description="Your API key (`imports-pipeline keys create`).",
)
organization_header = APIKeyHeader(
    name="x-organization-id",
    scheme_name="OrganizationId",
    auto_error=False,
    description="The organization the key belongs to.",
)


EMBED = "embed"
"""The signing purpose of embed tokens: an upload or a report link is never one."""

embed_token_header = HTTPBearer(
    scheme_name="EmbedToken",
    auto_error=False,
    description="Instead of the two headers: an embed token (`POST /v2/imports/embed-tokens`),"
    " which sees one template of one organization.",
)


KEY_PAIR = ("ApiKey", "OrganizationId")
"""The two headers that together make an API key's credential: neither works alone."""


def declare_security(openapi: dict[str, Any]) -> None:
    """Each operation's ``security`` as the server checks it: (x-api-key AND x-organization-id)
    OR an embed token. FastAPI lists every security dependency as an alternative of its own,
    which would say that either header alone is enough."""
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            alternatives = operation.get("security")
            if not alternatives:
                continue
            named = {name for alternative in alternatives for name in alternative}
            if set(KEY_PAIR) <= named:
                pair: dict[str, list[str]] = {name: [] for name in KEY_PAIR}
                others = [a for a in alternatives if not set(a) & set(KEY_PAIR)]
                operation["security"] = [pair, *others]


def current_actor(
    request: Request,
    api_key: Annotated[str | None, Security(api_key_header)],
    organization_id: Annotated[str | None, Security(organization_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(embed_token_header)],
) -> Actor:
    if api_key is None and bearer is not None:
        return embed_actor(request.app.state.service, bearer.credentials)
    keys: ApiKeyStore = request.app.state.api_keys
    record = keys.verify(api_key) if api_key else None
    if record is None:
        raise InvalidApiKeyError("Invalid API key")
    if organization_id != record.organization_id:
        raise OrganizationMismatchError(
            f"This API key does not belong to organization '{organization_id or ''}';"
            " send the key's own x-organization-id"
        )
    return Actor(
        organization_id=record.organization_id,
        user_id=record.user_id,
        actor_type=ActorType.USER.value if record.user_id else ActorType.API_KEY.value,
        api_key_id=record.id,
    )


def embed_actor(service: ImportService, token: str) -> Actor:
    """Who an embed token speaks for, scoped to its template; 401 naming why when it cannot."""
    try:
        subject = json.loads(service.stores.signer.verify(EMBED, token, service.clock()))
    except SignedLinkExpiredError as expired:
        when = expired.message.removeprefix("This link ")
        raise InvalidEmbedTokenError(f"The embed token {when}") from None
    except (InvalidSignedLinkError, ValueError):
        raise InvalidEmbedTokenError("The embed token is not one this service signed") from None
    issuer = service.stores.api_keys.owners([subject["k"]]).get(subject["k"])
    if issuer is None or issuer.revoked_at is not None:
        raise InvalidEmbedTokenError("The API key that issued this embed token was revoked")
    return Actor(
        organization_id=subject["o"],
        user_id=subject["u"],
        actor_type=subject["a"],
        api_key_id=subject["k"],
        template_scope=subject["t"],
    )


CurrentActor = Annotated[Actor, Depends(current_actor)]


def key_holder(actor: CurrentActor, request: Request) -> Actor:
    """The caller, when it holds an API key: an embed token imports its customer's files and
    nothing more, so another customer's sessions of the same template stay out of its sight."""
    if actor.template_scope is not None:
        raise OutsideEmbedScopeError(
            f"An embed token cannot use {request.method} {request.url.path}; it imports files"
            " into its template only (use an API key)"
        )
    return actor


KeyHolder = Annotated[Actor, Depends(key_holder)]
