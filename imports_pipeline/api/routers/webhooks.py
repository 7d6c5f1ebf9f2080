"""Webhook subscriptions of the caller's organization: create, list, read, delete, and the
deliveries of one, for finding out why a receiver heard nothing."""

from __future__ import annotations

from fastapi import APIRouter, Response

from imports_pipeline.api import examples
from imports_pipeline.api.auth import KeyHolder
from imports_pipeline.api.dependencies import Service
from imports_pipeline.api.idempotency import Idempotency
from imports_pipeline.notifications.subscriptions import WebhookSubscriptions
from imports_pipeline.notifications.views import (
    CreatedWebhook,
    NewWebhook,
    Webhook,
    WebhookDeliveryList,
    WebhookList,
)
from imports_pipeline.sessions import ImportService

router = APIRouter(
    prefix="/v2/imports/webhooks",
    tags=["webhooks"],
    responses=examples.error_responses(400, 401, 403, 422),
)
NOT_FOUND = examples.error_responses(404)


def subscriptions(service: ImportService) -> WebhookSubscriptions:
    return WebhookSubscriptions(service.stores.webhooks)


@router.post(
    "",
    status_code=201,
    response_model=CreatedWebhook,
    summary="Subscribe to import events",
)
def create_webhook(
    service: Service, actor: KeyHolder, idempotency: Idempotency, wanted: NewWebhook
) -> Response:
    """Events of this organization's imports are POSTed to `url`, signed with the secret in the
    answer (shown this once), retried with backoff for about a day until it answers 2xx."""
    return idempotency.run(lambda: subscriptions(service).create(actor, wanted), status_code=201)


@router.get("", response_model=WebhookList, summary="List webhook subscriptions")
def list_webhooks(service: Service, actor: KeyHolder) -> WebhookList:
    return WebhookList(items=subscriptions(service).listing(actor))


@router.get(
    "/{webhook_id}",
    response_model=Webhook,
    summary="Read a webhook subscription",
    responses=NOT_FOUND,
)
def read_webhook(service: Service, actor: KeyHolder, webhook_id: str) -> Webhook:
    return subscriptions(service).get(actor, webhook_id)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a webhook subscription",
    responses=NOT_FOUND,
)
def delete_webhook(service: Service, actor: KeyHolder, webhook_id: str) -> Response:
    """Nothing more is sent to it, retries still pending included."""
    subscriptions(service).delete(actor, webhook_id)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=WebhookDeliveryList,
    summary="Recent deliveries of a webhook subscription",
    responses=NOT_FOUND,
)
def list_deliveries(service: Service, actor: KeyHolder, webhook_id: str) -> WebhookDeliveryList:
    """Each event sent to it, newest first: status, attempts, the last answer, the next try."""
    return WebhookDeliveryList(items=subscriptions(service).deliveries(actor, webhook_id))
