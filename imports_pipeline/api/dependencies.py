"""The objects a route needs, taken from the app they were installed in by ``create_app``."""

from __future__ import annotations

from typing import Annotated, cast

import sqlalchemy as sa
from fastapi import Depends, Request

from imports_pipeline.run_submission import DagsterRunSubmitter
from imports_pipeline.sessions import ImportService


def get_service(request: Request) -> ImportService:
    return cast("ImportService", request.app.state.service)


Service = Annotated[ImportService, Depends(get_service)]


def get_destination(request: Request) -> sa.Engine:
    return cast("sa.Engine", request.app.state.destination)


Destination = Annotated[sa.Engine, Depends(get_destination)]
"""The destination database (the ``destination_url`` setting), for rollback."""


def get_run_submitter(request: Request) -> DagsterRunSubmitter | None:
    return cast("DagsterRunSubmitter | None", request.app.state.run_submitter)


RunSubmitter = Annotated[DagsterRunSubmitter | None, Depends(get_run_submitter)]
"""Submits a submitted import's Dagster run through the webserver (``dagster_url``), or None."""
