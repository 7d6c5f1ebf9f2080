"""The client streams: an upload is read from its file as it is sent and a download is written as
it arrives, so a file far larger than the client's memory budget passes through it. Measured with
tracemalloc in this (the client's) process; the server is a separate uvicorn process."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from imports_pipeline.client import ImportsClient
from imports_pipeline_tests.client.conftest import LiveApi
from imports_pipeline_tests.service import SAMPLE_CSV as SAMPLE

TEMPLATE = "logistics_requests"
FILE_BYTES = 24 << 20
BUDGET_BYTES = 1 << 20
"""What the client may hold at its peak while a FILE_BYTES file passes: a twenty-fourth of it
(measured: 0.16 MB for the upload, 0.41 MB for the download)."""
T = TypeVar("T")


@pytest.fixture
def client(live_api: LiveApi) -> Iterator[ImportsClient]:
    with ImportsClient(live_api.url, live_api.key, live_api.organization_id) as client:
        yield client


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    header, *rows = SAMPLE.read_text().splitlines()
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with path.open("w") as written:
        written.write(header + "\n")
        while written.tell() < FILE_BYTES:
            written.write("\n".join(rows) + "\n")
    return path


def peak_bytes(work: Callable[[], T]) -> tuple[T, int]:
    tracemalloc.start()
    try:
        done = work()
        return done, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_an_upload_larger_than_the_budget_is_streamed_from_its_file(client, big_csv):
    created, peak = peak_bytes(lambda: client.create_session(TEMPLATE, big_csv))
    assert created.file_name == "big.csv" and created.total_rows > 100_000
    assert peak < BUDGET_BYTES, f"{peak:,} bytes at the peak for a {FILE_BYTES:,}-byte file"


@pytest.mark.slow
def test_a_download_larger_than_the_budget_is_streamed_to_its_file(client, big_csv, tmp_path):
    created = client.create_session(TEMPLATE, big_csv)
    target = tmp_path / "back.csv"
    written, peak = peak_bytes(lambda: client.download_upload(created.import_id, to=target))
    assert written == target and target.read_bytes() == big_csv.read_bytes()
    assert not target.with_name("back.csv.part").exists()
    assert peak < BUDGET_BYTES, f"{peak:,} bytes at the peak for a {FILE_BYTES:,}-byte file"


def test_an_async_upload_streams_its_file_to_the_signed_link(client, tmp_path):
    """The PUT body is sent in blocks (chunked): the server still gets every byte."""
    pending = client.create_session_async(TEMPLATE, "march.csv")
    created = client.upload_to(pending.upload_url, SAMPLE)
    assert created.total_rows == 240
    back = client.download_upload(created.import_id, to=tmp_path / "back.csv")
    assert back.read_bytes() == SAMPLE.read_bytes()
