"""The import session use cases (see ``service.ImportService``) and the session's own tables."""

from imports_pipeline.sessions.service import ImportService

__all__ = ["ImportService"]
