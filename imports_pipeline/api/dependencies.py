"""The objects a route needs, taken from the app they were installed in by ``create_app``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from imports_pipeline.sessions import ImportService


def get_service(request: Request) -> ImportService:
    return request.app.state.service


Service = Annotated[ImportService, Depends(get_service)]
