"""What the webhook use cases return, shaped as the API answers them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from imports_pipeline.vocabulary import DeliveryStatus, WebhookEvent


class Webhook(BaseModel):
    """A subscription: where one organization's import events are sent."""

    id: str
    url: str
    events: list[WebhookEvent]
    description: str | None
    created_at: datetime


class CreatedWebhook(Webhook):
    """The new subscription with its signing secret, shown this once."""

    secret: str = Field(
        description=(
            "Signs every delivery (Standard Webhooks: `webhook-signature` is"
            " `v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` with the"
            " secret's key, the base64 after `whsec_`). Not shown again: keep it now."
        )
    )


class WebhookList(BaseModel):
    items: list[Webhook]


class WebhookDelivery(BaseModel):
    """One event sent (or being sent) to one subscription."""

    event_id: str = Field(description="The same on every attempt: a receiver drops repeats by it.")
    event_type: WebhookEvent
    import_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(
        description="When it is tried again; null once settled."
    )
    last_response: str | None = Field(
        description="The last attempt's HTTP status and start of body, or why no answer came."
    )
    created_at: datetime
    delivered_at: datetime | None


class WebhookDeliveryList(BaseModel):
    items: list[WebhookDelivery] = Field(description="Newest first, at most 100.")


class NewWebhook(BaseModel):
    """The body of ``POST /v2/imports/webhooks``."""

    url: str = Field(
        description="Where events are POSTed: an http or https URL, 2,048 characters at most."
    )
    events: list[str] = Field(
        description="One or more of import.completed, import.failed, import.needs_review."
    )
    description: str | None = Field(
        default=None, max_length=256, description="For people: what listens there."
    )
