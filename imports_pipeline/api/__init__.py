"""The HTTP Imports API v2 (FastAPI): routes, auth, request models and error bodies over
``sessions``."""
