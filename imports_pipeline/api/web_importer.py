"""Serves the web importer's files (``imports_pipeline/web_importer/static``) at ``/importer/``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from imports_pipeline.web_importer import STATIC_DIR

IMPORTER_PATH = "/importer"


def install_web_importer(app: FastAPI) -> None:
    app.mount(IMPORTER_PATH, StaticFiles(directory=STATIC_DIR, html=True), name="web_importer")
