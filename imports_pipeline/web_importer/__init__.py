"""The web importer: a page a person uses to upload, map, fix and submit a file, built on the
public API only. Plain HTML, CSS and JavaScript modules in ``static/``: no build step and nothing
from another host, so an air-gapped install serves all of it. ``api/web_importer.py`` mounts it at
``/importer/``."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
