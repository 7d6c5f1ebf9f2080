"""Refuse query parameters and form fields a route does not declare (422), instead of ignoring
them.

A misspelt filter (``stauts=failed``) that is silently ignored returns every
session, which looks like an answer; Fleetio's API refuses it, and so do we. A misspelt form
field (``numeric_local=es_ES``) would as silently import with the default.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, params
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel


def declared_query_names(dependant: Dependant) -> set[str]:
    """The query parameters of a route, its dependencies' included (a query model's fields too)."""
    names: set[str] = set()
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # Annotated[Model, Query()]
            names |= {field.alias or key for key, field in model.model_fields.items()}
        else:
            names.add(param.alias)
    for dependency in dependant.dependencies:
        names |= declared_query_names(dependency)
    return names


def reject_unknown_query_parameters(request: Request) -> None:
    """A router dependency: 422 naming each parameter the route does not know."""
    route: Any = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = declared_query_names(dependant)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ["query", name],
                    "msg": f"Unknown query parameter; this endpoint takes: {known}",
                    "input": request.query_params[name],
                }
                for name in unknown
            ]
        )


async def reject_unknown_form_fields(request: Request) -> None:
    """A router dependency: 422 naming each form field a form route does not declare. The form
    is the one FastAPI already parsed for the route (Starlette keeps it on the request)."""
    route: Any = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    declared = {
        param.alias for param in dependant.body_params if isinstance(param.field_info, params.Form)
    }
    if not declared:
        return
    form = await request.form()
    unknown = sorted(set(form.keys()) - declared)
    if unknown:
        known = ", ".join(sorted(declared))
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ["body", name],
                    "msg": f"Unknown form field; this endpoint takes: {known}",
                    "input": None,
                }
                for name in unknown
            ]
        )
