"""Embed tokens: what a product puts in front of its own customers instead of an API key.

A product's server asks for a token with its API key (``POST /v2/imports/embed-tokens``) and
hands it to the web importer (``/importer/?token=…``, in an iframe). The token is signed by the
service (``store/signing.py``), lives at most an hour, and lets its bearer see and import into
one organization's one template: the API treats every other template and its sessions as not
found. It is sent as ``Authorization: Bearer <token>``, and stops working when the API key that
issued it is revoked.
"""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi import APIRouter, Request

from imports_pipeline.api import examples
from imports_pipeline.api.auth import EMBED, KeyHolder
from imports_pipeline.api.dependencies import Service
from imports_pipeline.wire import EmbedToken, EmbedTokenRequest

router = APIRouter(
    prefix="/v2/imports",
    tags=["web importer"],
    responses=examples.error_responses(400, 401, 403, 422),
)


@router.post(
    "/embed-tokens",
    status_code=201,
    response_model=EmbedToken,
    summary="Create an embed token for the web importer",
    responses=examples.error_responses(404),
)
def create_embed_token(
    service: Service, actor: KeyHolder, wanted: EmbedTokenRequest, request: Request
) -> EmbedToken:
    """A short-lived token for one template of your organization: put
    `<iframe src="{importer_url}">` in your page and your customer imports without an API key."""
    template = service.catalog.get(wanted.template_id)
    expires_at = service.clock() + timedelta(minutes=wanted.minutes)
    subject = json.dumps(
        {
            "o": actor.organization_id,
            "t": template.id,
            "u": actor.user_id,
            "k": actor.api_key_id,
            "a": actor.actor_type,
        }
    )
    token = service.stores.signer.sign(EMBED, subject, expires_at)
    page = request.url_for("web_importer", path="")
    return EmbedToken(
        token=token,
        expires_at=expires_at,
        organization_id=actor.organization_id,
        template_id=template.id,
        importer_url=f"{page}?token={token}",
    )
