"""What the webhook use cases return, shaped as the API answers them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from imports_pipeline.views import NaiveUTC
from imports_pipeline.vocabulary import DeliveryStatus, WebhookEvent


class Webhook(BaseModel):
    """A subscription: where one organization's import events are sent."""

    id: str
    url: str
    events: list[WebhookEvent]
    description: str | None
    created_at: NaiveUTC


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
    next_attempt_at: NaiveUTC | None = Field(
        description="When it is tried again; null once settled."
    )
    last_response: str | None = Field(
        description="The last attempt's HTTP status and start of body, or why no answer came."
    )
    created_at: NaiveUTC
    delivered_at: NaiveUTC | None


class WebhookDeliveryList(BaseModel):
    items: list[WebhookDelivery] = Field(description="Newest first, at most 100.")


PORT = "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
URL_PATTERN = rf"^https?://[A-Za-z0-9._~-]+(:{PORT})?([/?#][^\s\x00]*)?$"
"""What the schema promises is accepted; the use case still checks, to name what is wrong.
Validation stays in the use case, so a bad URL gets its own message rather than a regex's."""


class NewWebhook(BaseModel):
    """The body of ``POST /v2/imports/webhooks``."""

    url: str = Field(
        description="Where events are POSTed: an http or https URL, 2,048 characters at most.",
        json_schema_extra={"pattern": URL_PATTERN, "maxLength": 2048},
    )
    events: list[str] = Field(
        description="One or more of import.completed, import.failed, import.needs_review.",
        json_schema_extra={
            "minItems": 1,
            "items": {"type": "string", "enum": [event.value for event in WebhookEvent]},
        },
    )
    description: str | None = Field(
        default=None,
        max_length=256,
        description="For people: what listens there.",
        json_schema_extra={"pattern": "^[^\\x00]*$"},
    )
