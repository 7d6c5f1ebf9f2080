"""Templates and option sources: what clients need to render mapping and value pickers."""

from __future__ import annotations

from fastapi import APIRouter

from imports_pipeline.api import examples
from imports_pipeline.api.auth import CurrentActor
from imports_pipeline.api.dependencies import Service
from imports_pipeline.templates.model import Template
from imports_pipeline.templates.option_sources import resolve_option_source
from imports_pipeline.wire import OptionsResult

router = APIRouter(
    prefix="/v2/imports", tags=["templates"], responses=examples.error_responses(401, 403, 404, 422)
)


@router.get("/templates", response_model=list[Template])
def list_templates(service: Service, actor: CurrentActor) -> list[Template]:
    """Every template this server knows (built-ins plus `IMPORTS_TEMPLATES_DIR`); an embed
    token's own template only."""
    scope = actor.template_scope
    return [t for t in service.catalog.list() if scope is None or t.id == scope]


@router.get("/templates/{template_id}", response_model=Template)
def get_template(service: Service, actor: CurrentActor, template_id: str) -> Template:
    """Columns, required flags, types, inline options or `options_source`, defaults."""
    template = service.catalog.get(template_id)
    service.check_template_scope(actor, template_id)
    return template


@router.get("/options/{source_key}", response_model=OptionsResult)
def get_options(_actor: CurrentActor, source_key: str) -> OptionsResult:
    """The selectable values and labels behind an `options_source` (countries, fuels,
    logistics_tocs)."""
    return OptionsResult(source_key=source_key, options=resolve_option_source(source_key))
