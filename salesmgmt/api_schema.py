"""OpenAPI: every operation documents the error bodies it can answer with."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="invalid, not_authenticated, permission_denied, ...")
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field name -> messages; present on validation errors (400).",
    )


ERRORS = {
    "400": "Invalid input: see `errors` for each field.",
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
        if writes:
            codes.append("400")
        if "{" in self.path:
            codes.append("404")
            if writes and getattr(self.view, "versioned", False):
                codes.append("409")
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERRORS[code]
                responses[code] = response
        return responses
