"""Templates and option sources: what a client needs to build mapping and value pickers."""

from __future__ import annotations

from pydantic import TypeAdapter

from imports_pipeline.client.transport import Transport
from imports_pipeline.templates.model import Template
from imports_pipeline.wire import OptionsResult

TEMPLATE_LIST = TypeAdapter(list[Template])


class TemplatesMixin:
    transport: Transport

    def list_templates(self) -> list[Template]:
        return TEMPLATE_LIST.validate_json(
            self.transport.request("GET", "/v2/imports/templates").content
        )

    def get_template(self, template_id: str) -> Template:
        response = self.transport.request("GET", f"/v2/imports/templates/{template_id}")
        return Template.model_validate_json(response.content)

    def get_options(self, source_key: str) -> OptionsResult:
        response = self.transport.request("GET", f"/v2/imports/options/{source_key}")
        return OptionsResult.model_validate_json(response.content)
