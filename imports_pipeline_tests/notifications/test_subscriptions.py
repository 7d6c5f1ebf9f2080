"""The subscription body's schema promises no more than the use case accepts: schemathesis
sends what the pattern allows and counts a 422 for it as a broken promise."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports_pipeline.errors import InvalidWebhookError
from imports_pipeline.notifications.subscriptions import checked_url
from imports_pipeline.notifications.views import URL_PATTERN


@settings(max_examples=300, deadline=None)
@given(st.from_regex(URL_PATTERN, fullmatch=True))
def test_every_url_the_schema_allows_is_accepted(url):
    assert checked_url(url) == url


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/", "https://example.com:65536/", "https://exa mple.com/", "https://[::1"],
)
def test_a_url_the_schema_refuses_is_refused_by_the_use_case_too(url):
    assert not re.fullmatch(URL_PATTERN, url)
    with pytest.raises(InvalidWebhookError):
        checked_url(url)
