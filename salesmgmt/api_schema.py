"""OpenAPI: every operation documents the error bodies it can answer with."""

from drf_spectacular.drainage import reset_generator_stats
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    build_root_object,
    normalize_result_object,
    process_webhooks,
    sanitize_result_object,
)
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers

MESSAGES = {"type": "array", "items": {"type": "string"}}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [
                MESSAGES,
                {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Nested errors: a row number or sub-field -> its errors, "
                    'e.g. `errors.entries["37"].metric`.',
                },
            ]
        },
    }
)
class FieldErrorsField(serializers.DictField):
    pass


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(
        help_text="invalid, not_authenticated, permission_denied, not_found, conflict, "
        "locked_out, throttled, server_error, ..."
    )
    detail = serializers.CharField()
    errors = FieldErrorsField(
        required=False,
        help_text="Field name -> messages; present on validation errors (400). Bulk "
        'endpoints nest them by row: `errors.entries["37"].metric`.',
    )


ERRORS = {
    "400": "Invalid input: see `errors` for each field.",
    "400-list": "A filter, ordering or page size value is invalid: see `errors`.",
    "404-list": "The page is past the end of the list.",
    "400-query": "A query parameter is invalid: see `errors`.",
    "401": "Missing or invalid credentials.",
    "403": "Authenticated, but not allowed to do this.",
    "404": "No such object, or it is outside what you can see.",
    "409": "Changed by somebody else since you read it (stale `version`).",
    "429": "Too many requests; slow down.",
}


class SalesmgmtAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "429"]
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        listing = self.method == "GET" and self._is_list_view()
        if writes:
            codes.append("400")
        if "{" in self.path:
            codes.append("404")
            if writes and getattr(self.view, "versioned", False):
                codes.append("409")
        if listing:
            codes.append("400-list")
            if self._get_paginator():
                codes.append("404-list")
        elif any(p["in"] == "query" for p in self._get_parameters()):
            codes.append("400-query")
        for key in codes:
            code = key.split("-")[0]
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERRORS[key]
                responses[code] = response
        return responses

    def _map_basic_serializer(self, serializer, direction):
        """A model serializer returns every readable field it declares, so in responses
        all of them (``version`` included) are required."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(serializer, serializers.ModelSerializer):
            required = set(schema.get("required", ()))
            readable = {name for name, field in serializer.fields.items() if not field.write_only}
            names = [name for name in schema["properties"] if name in required | readable]
            if names:
                schema["required"] = names
        return schema


def describe_crud(*, one: str, many: str, readers: str, writers: str = "Admins only."):
    """Descriptions for a model viewset's list/create/retrieve/update/partial_update."""
    return extend_schema_view(
        list=extend_schema(description=f"{many}. {readers}"),
        create=extend_schema(description=f"Add {one}. {writers}"),
        retrieve=extend_schema(description=f"One of the {many.lower()}. {readers}"),
        update=extend_schema(description=f"Replace {one}. {writers}"),
        partial_update=extend_schema(description=f"Change some fields of {one}. {writers}"),
    )


def error_response(description: str) -> OpenApiResponse:
    """An error answer documented with its own meaning (in the usual Error shape)."""
    return OpenApiResponse(ErrorSerializer, description=description)


class SalesmgmtSchemaGenerator(SchemaGenerator):
    """drf-spectacular's generator, with the ``webhooks`` section (OpenAPI 3.1) built at
    each generation from the webhook registry (salesmgmt.webhooks.schema), so every app's
    registered events are described. The webhooks are processed before the components
    are collected, so their payload components are in the document too."""

    def get_schema(self, request=None, public=False):
        from salesmgmt.webhooks.schema import HEADERS, webhook_definitions  # noqa: PLC0415

        reset_generator_stats()
        paths = self.parse(request, public)
        webhooks = process_webhooks(webhook_definitions(), self.registry)
        for path_item in webhooks.values():
            for operation in path_item.values():
                operation["parameters"] = HEADERS
                # The receiver's side: only its own answer, not our API's error bodies.
                operation["responses"] = {
                    code: answer
                    for code, answer in operation.get("responses", {}).items()
                    if code.startswith("2")
                }
        result = build_root_object(
            paths=paths,
            components=self.registry.build(spectacular_settings.APPEND_COMPONENTS),
            webhooks=webhooks,
            version=self.api_version or getattr(request, "version", None),
        )
        for hook in spectacular_settings.POSTPROCESSING_HOOKS:
            result = hook(result=result, generator=self, request=request, public=public)
        return sanitize_result_object(normalize_result_object(result))
