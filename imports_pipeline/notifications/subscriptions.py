"""Managing webhook subscriptions over the API: one organization sees and changes only its own."""

from __future__ import annotations

from urllib.parse import urlsplit

from imports_pipeline.errors import InvalidWebhookError
from imports_pipeline.notifications.views import (
    CreatedWebhook,
    NewWebhook,
    Webhook,
    WebhookDelivery,
)
from imports_pipeline.store.tables import WebhookDeliveryRow, WebhookSubscriptionRow
from imports_pipeline.store.webhooks import WebhookStore
from imports_pipeline.vocabulary import Actor, WebhookEvent

MAX_URL_LENGTH = 2048
EVENT_NAMES = [event.value for event in WebhookEvent]


def storable(field: str, text: str) -> str:
    """Text every database here can hold: no NUL (PostgreSQL's text refuses it) and no lone
    surrogate, which a JSON escape can spell but UTF-8 cannot."""
    if "\x00" in text:
        raise InvalidWebhookError(
            f"{field}: contains a NUL character at character {text.index(chr(0))}", field=field
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidWebhookError(
            f"{field}: contains a lone surrogate at character {error.start}", field=field
        ) from None
    return text


def checked_url(url: str) -> str:
    """An absolute http(s) URL with a host; the message says what is wrong with it."""
    url = storable("url", url.strip())
    if len(url) > MAX_URL_LENGTH:
        raise InvalidWebhookError(
            f"url: {len(url):,} characters, at most {MAX_URL_LENGTH:,}", field="url"
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (raises for a port that is not a number)
    except ValueError as error:
        raise InvalidWebhookError(f"url: {error}", field="url") from error
    if any(character.isspace() for character in url):
        raise InvalidWebhookError(
            f"url: '{url[:200]}' has a space in it; write it as %20", field="url"
        )
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidWebhookError(
            f"url: '{url[:200]}' is not an http or https URL with a host", field="url"
        )
    return url


def checked_events(events: list[str]) -> list[WebhookEvent]:
    """At least one known event, each once, in the order given."""
    if not events:
        raise InvalidWebhookError(
            f"events: name at least one of {', '.join(EVENT_NAMES)}", field="events"
        )
    unknown = [name for name in events if name not in EVENT_NAMES]
    if unknown:
        raise InvalidWebhookError(
            f"events: '{unknown[0]}' is not an event; use {', '.join(EVENT_NAMES)}",
            field="events",
        )
    return [WebhookEvent(name) for name in dict.fromkeys(events)]


def webhook_view(row: WebhookSubscriptionRow) -> Webhook:
    return Webhook(
        id=row.id,
        url=row.url,
        events=[WebhookEvent(name) for name in row.events],
        description=row.description,
        created_at=row.created_at,
    )


def delivery_view(row: WebhookDeliveryRow) -> WebhookDelivery:
    return WebhookDelivery.model_validate(row, from_attributes=True)


class WebhookSubscriptions:
    """The use cases behind ``/v2/imports/webhooks``."""

    def __init__(self, store: WebhookStore) -> None:
        self.store = store

    def create(self, actor: Actor, wanted: NewWebhook) -> CreatedWebhook:
        url, events = checked_url(wanted.url), checked_events(wanted.events)
        description = wanted.description and storable("description", wanted.description)
        row = self.store.subscribe(actor.organization_id, url, events, description)
        return CreatedWebhook(**webhook_view(row).model_dump(), secret=row.secret)

    def listing(self, actor: Actor) -> list[Webhook]:
        return [webhook_view(row) for row in self.store.subscriptions(actor.organization_id)]

    def get(self, actor: Actor, webhook_id: str) -> Webhook:
        return webhook_view(self.store.subscription(actor.organization_id, webhook_id))

    def delete(self, actor: Actor, webhook_id: str) -> None:
        self.store.unsubscribe(actor.organization_id, webhook_id)

    def deliveries(self, actor: Actor, webhook_id: str) -> list[WebhookDelivery]:
        rows = self.store.deliveries(actor.organization_id, webhook_id)
        return [delivery_view(row) for row in rows]
