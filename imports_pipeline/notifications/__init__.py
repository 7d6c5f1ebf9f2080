"""Webhooks: per-organization subscriptions, the events a finished import run announces, and
their signed, retried delivery (see ``announcing``, ``delivery``, ``signing``)."""
