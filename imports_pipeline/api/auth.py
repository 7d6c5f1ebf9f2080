"""Who is calling: ``x-api-key`` + ``x-organization-id`` on every request, checked against the
key store."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from imports_pipeline.errors import InvalidApiKeyError, OrganizationMismatchError
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


def current_actor(
    request: Request,
    api_key: Annotated[str | None, Security(api_key_header)],
    organization_id: Annotated[str | None, Security(organization_header)],
) -> Actor:
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


CurrentActor = Annotated[Actor, Depends(current_actor)]
