"""The OpenAPI document at /api/schema/ and the Swagger UI at /api/docs/.

Every /api/v1/ path is described, every operation names the error bodies it
can answer with, and drf-spectacular's own validator passes without warnings.
"""

import pytest
import yaml
from django.core.management import call_command

from tests.factories import WeeklyPlanFactory

# Customers, deals, tasks, notifications and reports: all in EXPECTED_PATHS below.
CRM_PATHS = {
    "/api/v1/contacts/",
    "/api/v1/contacts/{id}/",
    "/api/v1/customers/",
    "/api/v1/customers/{id}/",
    "/api/v1/deals/",
    "/api/v1/deals/{id}/",
    "/api/v1/deals/{id}/move/",
    "/api/v1/deals/{id}/transitions/",
    "/api/v1/deals/bulk/",
    "/api/v1/lost-reasons/",
    "/api/v1/lost-reasons/{id}/",
    "/api/v1/notifications/",
    "/api/v1/notifications/{id}/",
    "/api/v1/notifications/{id}/read/",
    "/api/v1/notifications/preferences/",
    "/api/v1/notifications/read-all/",
    "/api/v1/pipelines/",
    "/api/v1/pipelines/{id}/",
    "/api/v1/reports/forecast/",
    "/api/v1/reports/funnel/",
    "/api/v1/search/",
    "/api/v1/stages/",
    "/api/v1/stages/{id}/",
    "/api/v1/tasks/",
    "/api/v1/tasks/{id}/",
    "/api/v1/tasks/{id}/done/",
    "/api/v1/tasks/{id}/reopen/",
}
EXPECTED_PATHS = {
    "/api/v1/webhooks/",
    "/api/v1/webhooks/{id}/",
    "/api/v1/webhooks/{id}/deliveries/",
    "/api/v1/webhook-deliveries/{id}/",
    "/api/v1/webhook-deliveries/{id}/redeliver/",
    "/api/v1/activities/",
    "/api/v1/activities/{id}/",
    "/api/v1/activities/bulk/",
    "/api/v1/auth/token/",
    "/api/v1/channels/",
    "/api/v1/channels/{id}/",
    "/api/v1/me/",
    "/api/v1/me/calendar-feed/",
    "/api/v1/metrics/",
    "/api/v1/metrics/{id}/",
    "/api/v1/products/",
    "/api/v1/products/{id}/",
    "/api/v1/teams/",
    "/api/v1/teams/{id}/",
    "/api/v1/users/",
    "/api/v1/users/{id}/",
    "/api/v1/weekly-plans/",
    "/api/v1/weekly-plans/{id}/",
    "/api/v1/weekly-plans/{id}/approve/",
    "/api/v1/weekly-plans/{id}/history/",
    "/api/v1/weekly-plans/{id}/note/",
    "/api/v1/weekly-plans/{id}/return/",
    "/api/v1/weekly-plans/{id}/submit/",
    *CRM_PATHS,
    "/api/v1/goals/",
    "/api/v1/goals/{id}/",
    "/api/v1/goals/{id}/changes/",
    "/api/v1/goals/reverse-funnel/",
    "/api/v1/kpis/",
    "/api/v1/kpis/{id}/",
    "/api/v1/kpis/values/",
    "/api/v1/alerts/",
    "/api/v1/alerts/{id}/",
    "/api/v1/alerts/{id}/actions/",
    "/api/v1/dashboards/me/",
    "/api/v1/dashboards/rep/{id}/",
    "/api/v1/dashboards/team/{id}/",
    "/api/v1/dashboards/company/",
    "/api/v1/coaching-sessions/",
    "/api/v1/coaching-sessions/{id}/",
    "/api/v1/coaching-sessions/{id}/cancel/",
    "/api/v1/coaching-sessions/{id}/effect/",
    "/api/v1/coaching-sessions/{id}/hold/",
    "/api/v1/coaching-action-items/",
    "/api/v1/coaching-action-items/{id}/",
    "/api/v1/coaching-action-items/{id}/complete/",
    "/api/v1/focus-areas/",
    "/api/v1/reviews/",
    "/api/v1/reviews/{id}/",
    "/api/v1/reviews/{id}/acknowledge/",
    "/api/v1/reviews/{id}/actions/",
    "/api/v1/reviews/{id}/comment/",
    "/api/v1/reviews/{id}/misses/{miss_id}/",
    "/api/v1/reviews/{id}/regenerate/",
    "/api/v1/reviews/{id}/share/",
    "/api/v1/commission-plans/",
    "/api/v1/commission-plans/{id}/",
    "/api/v1/commission-statements/",
    "/api/v1/commission-statements/{id}/",
    "/api/v1/commission-statements/{id}/adjustments/",
    # Anonymous upward feedback (coaching.feedback).
    "/api/v1/feedback/submit/",
    "/api/v1/feedback/periods/",
    "/api/v1/feedback/results/",
    "/api/v1/feedback/questions/",
    "/api/v1/signed-feedback/",
    "/api/v1/signed-feedback/{id}/",
    "/api/v1/improvement-plans/",
    "/api/v1/improvement-plans/{id}/",
    "/api/v1/improvement-plans/{id}/acknowledge/",
    "/api/v1/improvement-plans/{id}/checkpoints/",
    "/api/v1/improvement-plans/{id}/checkpoints/{checkpoint_id}/",
    "/api/v1/improvement-plans/{id}/close/",
    "/api/v1/improvement-plans/{id}/comment/",
    "/api/v1/improvement-plans/{id}/extend/",
    "/api/v1/training-modules/",
    "/api/v1/training-modules/{id}/",
    "/api/v1/training-assignments/",
    "/api/v1/training-assignments/{id}/",
    "/api/v1/training-assignments/{id}/complete/",
    "/api/v1/training-assignments/{id}/confirm/",
    "/api/v1/training-assignments/{id}/reopen/",
    "/api/v1/training-matrix/",
    # Recognition (coaching)
    "/api/v1/kudos/",
    "/api/v1/kudos/{id}/",
    "/api/v1/awards/",
    "/api/v1/awards/{id}/",
    "/api/v1/recognition-suggestions/",
    "/api/v1/recognition-suggestions/{id}/",
    "/api/v1/recognition-suggestions/{id}/dismiss/",
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def schema(rep, api_for):
    response = api_for(rep).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_schema_is_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Salesmgmt API"
    assert schema["info"]["version"] == "1.0.0"


def test_every_api_path_is_described(schema):
    assert set(schema["paths"]) == EXPECTED_PATHS


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/activities/", {"get", "post"}),
        ("/api/v1/activities/{id}/", {"get", "put", "patch", "delete"}),
        ("/api/v1/activities/bulk/", {"post"}),
        ("/api/v1/auth/token/", {"post"}),
        ("/api/v1/me/", {"get", "patch"}),
        ("/api/v1/me/calendar-feed/", {"get", "post", "delete"}),
        ("/api/v1/metrics/{id}/", {"get", "put", "patch"}),
        ("/api/v1/weekly-plans/", {"get", "post"}),
        ("/api/v1/weekly-plans/{id}/", {"get", "put", "patch"}),
        ("/api/v1/weekly-plans/{id}/approve/", {"post"}),
        ("/api/v1/weekly-plans/{id}/history/", {"get"}),
        ("/api/v1/weekly-plans/{id}/note/", {"post"}),
        ("/api/v1/weekly-plans/{id}/return/", {"post"}),
        ("/api/v1/weekly-plans/{id}/submit/", {"post"}),
        ("/api/v1/goals/", {"get", "post"}),
        ("/api/v1/goals/{id}/", {"get", "put", "patch", "delete"}),
        ("/api/v1/kpis/{id}/", {"get"}),
        ("/api/v1/alerts/{id}/", {"get"}),
        ("/api/v1/alerts/{id}/actions/", {"post"}),
        ("/api/v1/reviews/{id}/", {"get", "patch"}),
        ("/api/v1/coaching-sessions/", {"get", "post"}),
        ("/api/v1/coaching-sessions/{id}/", {"get", "patch"}),
        ("/api/v1/coaching-sessions/{id}/effect/", {"get"}),
        ("/api/v1/coaching-action-items/", {"get", "post"}),
        ("/api/v1/coaching-action-items/{id}/complete/", {"post"}),
        ("/api/v1/reviews/{id}/acknowledge/", {"post"}),
        ("/api/v1/commission-statements/{id}/", {"get"}),
        ("/api/v1/commission-statements/{id}/adjustments/", {"post"}),
        ("/api/v1/dashboards/team/{id}/", {"get"}),
        ("/api/v1/training-modules/{id}/", {"get", "put", "patch"}),
        ("/api/v1/training-assignments/", {"get", "post"}),
        ("/api/v1/training-assignments/{id}/", {"get"}),
        ("/api/v1/training-assignments/{id}/complete/", {"post"}),
        ("/api/v1/training-matrix/", {"get"}),
        ("/api/v1/kudos/", {"get", "post"}),
        ("/api/v1/kudos/{id}/", {"get"}),
        ("/api/v1/awards/", {"get", "post"}),
        ("/api/v1/awards/{id}/", {"get"}),
        ("/api/v1/recognition-suggestions/{id}/dismiss/", {"post"}),
    ],
)
def test_operations_match_what_the_api_allows(path, methods, schema):
    assert set(schema["paths"][path]) & HTTP_METHODS == methods


def test_every_operation_describes_401_and_403(schema):
    for path, method, operation in operations(schema):
        for code in ("401", "403"):
            response = operation["responses"].get(code)
            assert response is not None, (path, method, code)
            assert response["content"]["application/json"]["schema"] == ERROR_REF


def test_every_write_describes_400(schema):
    writes = [
        (path, method, op)
        for path, method, op in operations(schema)
        if method in {"post", "put", "patch"}
    ]

    # 35 POSTs before coaching (an alert's actions, a statement's adjustments among them);
    # PUT and PATCH on 15 detail paths; PATCH on a review and a miss; preferences PUT.
    # Coaching: feedback submit and signed feedback (2 POSTs); improvement plans (6 POSTs:
    # create, acknowledge, comment, extend, close, checkpoints; 2 PATCHes)
    # Training: 5 POSTs (a module, an assignment, complete, confirm, reopen), PUT and PATCH
    # on a module.
    # Recognition: 3 POSTs (kudos, an award, dismissing a suggestion).
    # Sessions: create, PATCH, hold, cancel; action items: create, complete.
    # Languages: PATCH on me (one's own language and timezone).
    # Calendar feeds: POST on me/calendar-feed/ (turn on or reset). Webhooks: create, PUT
    # and PATCH an endpoint, redeliver.
    assert len(writes) == 100
    for path, method, operation in writes:
        response = operation["responses"].get("400")
        assert response is not None, (path, method)
        assert response["content"]["application/json"]["schema"] == ERROR_REF


def test_every_detail_operation_describes_404(schema):
    details = [(p, m, op) for p, m, op in operations(schema) if "{id}" in p]

    # Coaching: signed feedback retrieve; improvement plans retrieve, PATCH, 4 actions,
    # checkpoints POST and PATCH.
    # Training: a module (get, put, patch), an assignment and 3 actions.
    # Recognition: kudos, award, suggestion and its dismiss.
    # Sessions: retrieve, PATCH, hold, cancel, effect; an action item and its complete.
    # Webhooks: an endpoint (get, put, patch, delete), its deliveries, a delivery and
    # its redeliver.
    assert len(details) == 111
    for path, method, operation in details:
        assert "404" in operation["responses"], (path, method)
        assert operation["responses"]["404"]["description"] == (
            "No such object, or it is outside what you can see."
        )


def test_plan_writes_describe_409(schema):
    for action in ("approve", "return", "submit", "note"):
        responses = schema["paths"][f"/api/v1/weekly-plans/{{id}}/{action}/"]["post"]["responses"]
        assert responses["409"]["content"]["application/json"]["schema"] == ERROR_REF
    assert "409" in schema["paths"]["/api/v1/weekly-plans/{id}/"]["patch"]["responses"]


def test_activity_delete_describes_400(schema):
    assert "400" in schema["paths"]["/api/v1/activities/{id}/"]["delete"]["responses"]


def test_error_body_is_described(schema):
    error = schema["components"]["schemas"]["Error"]

    assert set(error["properties"]) == {"status", "code", "detail", "errors"}
    assert set(error["required"]) == {"status", "code", "detail"}


def test_bulk_ingest_is_described(schema):
    operation = schema["paths"]["/api/v1/activities/bulk/"]["post"]

    request = operation["requestBody"]["content"]["application/json"]["schema"]
    assert request == {"$ref": "#/components/schemas/ActivityIngestRequest"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/IngestResult"
    }
    result = schema["components"]["schemas"]["IngestResult"]
    assert set(result["properties"]) == {"created", "updated", "unchanged"}


def test_token_endpoint_needs_no_credentials(schema):
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]

    # No operation-level requirement and no document-wide one: anonymous is fine.
    assert operation.get("security") in (None, [{}])
    assert "security" not in schema
    assert set(operation["responses"]) >= {"201", "400", "401", "403", "429"}


def test_both_auth_schemes_are_described(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Personal API token: `Token <key>`. Create one on your profile page.",
    }
    assert schemes["cookieAuth"]["in"] == "cookie"
    me = schema["paths"]["/api/v1/me/"]["get"]
    assert me["security"] == [{"tokenAuth": []}, {"cookieAuth": []}]


def test_history_schema_matches_the_plain_list_it_returns(schema, rep, api_for):
    plan = WeeklyPlanFactory(rep=rep)
    actual = api_for(rep).get(f"/api/v1/weekly-plans/{plan.pk}/history/")
    assert isinstance(actual.data, list)

    described = schema["paths"]["/api/v1/weekly-plans/{id}/history/"]["get"]
    body = described["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"type": "array", "items": {"$ref": "#/components/schemas/PlanEvent"}}


def test_spectacular_validates_without_warnings(tmp_path):
    """drf-spectacular's validator; --fail-on-warn turns any warning into a failure."""
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    document = yaml.safe_load(out.read_text())
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == EXPECTED_PATHS


def test_docs_page_opens_for_a_signed_in_user(rep, client_for):
    response = client_for(rep).get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    # Swagger UI's set-up, schema URL included, is a script of its own (no inline script).
    assert b"/api/schema/" in client_for(rep).get("/api/docs/?script").content


def test_docs_and_schema_work_with_a_session(rep, client_for):
    client = client_for(rep)

    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert set(response.json()["paths"]) == EXPECTED_PATHS


def list_operations(schema):
    for path, method, operation in operations(schema):
        if method == "get" and "page" in {p["name"] for p in operation.get("parameters", [])}:
            yield path, operation


@pytest.mark.django_db  # the company's default language is read for a visitor
def test_anyone_reads_the_schema_and_docs_but_no_data(client):
    """A newcomer finds the token endpoint without an account; data stays closed."""
    schema = client.get("/api/schema/", {"format": "json"})
    docs = client.get("/api/docs/")
    data = client.get("/api/v1/metrics/")

    assert schema.status_code == 200
    assert "/api/v1/auth/token/" in schema.json()["paths"]
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert data.status_code == 401
    assert data.json()["code"] == "not_authenticated"


def test_every_operation_is_described_without_pointing_at_source_files(schema):
    for path, method, operation in operations(schema):
        description = operation.get("description", "")
        assert description.strip(), (path, method)
        assert ".py" not in description, (path, method)


def test_errors_may_be_messages_or_nested_rows(schema):
    errors = schema["components"]["schemas"]["Error"]["properties"]["errors"]

    variants = errors["additionalProperties"]["oneOf"]
    assert {"type": "array", "items": {"type": "string"}} in variants
    assert any(v["type"] == "object" for v in variants)


def test_every_list_documents_bad_filters_and_pages_past_the_end(schema):
    lists = list(list_operations(schema))

    assert len(lists) >= 20
    for path, operation in lists:
        assert {"400", "404"} <= set(operation["responses"]), path
        page_size = next(p for p in operation["parameters"] if p["name"] == "page_size")
        assert page_size["schema"]["maximum"] == 500, path
        assert page_size["schema"]["minimum"] == 1, path


def test_ordering_lists_its_fields(schema):
    parameters = schema["paths"]["/api/v1/activities/"]["get"]["parameters"]
    ordering = next(p for p in parameters if p["name"] == "ordering")

    assert set(ordering["schema"]["items"]["enum"]) == {
        "day",
        "-day",
        "quantity",
        "-quantity",
        "created_at",
        "-created_at",
    }
    assert ordering["explode"] is False
    # A list without declared ordering fields documents no ordering parameter.
    channel_parameters = schema["paths"]["/api/v1/channels/"]["get"]["parameters"]
    assert "ordering" not in {p["name"] for p in channel_parameters}


def test_activity_filters_take_the_keys_rows_use(schema):
    parameters = schema["paths"]["/api/v1/activities/"]["get"]["parameters"]

    assert {"metric_key", "channel_key", "product_sku"} <= {p["name"] for p in parameters}


def test_boolean_filters_are_booleans(schema):
    parameters = schema["paths"]["/api/v1/metrics/"]["get"]["parameters"]

    active = next(p for p in parameters if p["name"] == "active")
    assert active["schema"]["type"] == "boolean"


def test_review_figures_and_miss_ids_are_typed(schema):
    components = schema["components"]["schemas"]
    figures = components["MonthlyReview"]["properties"]["figures"]
    miss_parameters = schema["paths"]["/api/v1/reviews/{id}/misses/{miss_id}/"]["post"][
        "parameters"
    ]

    assert figures["type"] == "object"
    assert {"metrics", "goals", "summary"} <= set(figures["properties"])
    miss_id = next(p for p in miss_parameters if p["name"] == "miss_id")
    assert miss_id["schema"] == {"type": "integer"}
    root_cause = components["ReviewMiss"]["properties"]["root_cause"]["oneOf"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in root_cause


def test_values_that_come_back_null_are_nullable(schema):
    components = schema["components"]["schemas"]

    # OpenAPI 3.1 (JSON Schema): null is one of the types.
    assert "null" in components["Kpi"]["properties"]["metric"]["type"]
    assert "null" in components["Kpi"]["properties"]["denominator"]["type"]
    assert "null" in components["StageTransition"]["properties"]["from_stage"]["type"]


def test_response_components_require_the_version_they_always_return(schema):
    components = schema["components"]["schemas"]
    with_version = [
        name
        for name, component in components.items()
        if "version" in component.get("properties", {}) and not name.endswith("Request")
    ]

    assert "WeeklyPlan" in with_version
    for name in with_version:
        assert "version" in components[name].get("required", []), name


def test_a_server_is_named(schema):
    assert schema["servers"] == [
        {"url": "/", "description": "The server that serves this document"}
    ]


def test_a_directors_company_is_their_division(director, api_for):
    """As on the /company/ page: KPI values for scope=company answer with the division."""
    division = f"division:{director.division_id}"
    api = api_for(director)

    for url in ("/api/v1/kpis/values/", "/api/v1/reports/funnel/", "/api/v1/reports/forecast/"):
        response = api.get(url, {"scope": "company"})
        assert response.status_code == 200, url
        assert response.data["scope"]["key"] == division, url


def test_a_managers_company_is_not_found(manager, api_for):
    response = api_for(manager).get("/api/v1/kpis/values/", {"scope": "company"})

    assert response.status_code == 404


# --- customers, deals, tasks, notifications and reports ---------------------------------------


def test_every_new_endpoint_is_in_the_schema(schema):
    assert set(schema["paths"]) >= CRM_PATHS


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/customers/{id}/", {"get", "put", "patch"}),
        ("/api/v1/contacts/{id}/", {"get", "put", "patch", "delete"}),
        ("/api/v1/deals/{id}/", {"get", "put", "patch"}),
        ("/api/v1/deals/{id}/move/", {"post"}),
        ("/api/v1/deals/{id}/transitions/", {"get"}),
        ("/api/v1/deals/bulk/", {"post"}),
        ("/api/v1/tasks/{id}/", {"get", "put", "patch"}),
        ("/api/v1/notifications/{id}/", {"get"}),
        ("/api/v1/notifications/preferences/", {"get", "put"}),
        ("/api/v1/stages/{id}/", {"get", "put", "patch"}),
        ("/api/v1/reports/funnel/", {"get"}),
        ("/api/v1/reports/forecast/", {"get"}),
    ],
)
def test_schema_operations_match_what_the_api_allows(path, methods, schema):
    assert set(schema["paths"][path]) & HTTP_METHODS == methods


def test_move_and_bulk_carry_request_and_response_examples(schema):
    move = schema["paths"]["/api/v1/deals/{id}/move/"]["post"]
    bulk = schema["paths"]["/api/v1/deals/bulk/"]["post"]

    assert set(move["requestBody"]["content"]["application/json"]["examples"]) == {
        "MoveToProposal",
        "MarkLost",
    }
    assert set(move["responses"]["200"]["content"]["application/json"]["examples"]) == {
        "TheMovedDeal"
    }
    lost = move["responses"]["400"]["content"]["application/json"]["examples"]
    assert lost["LostWithoutAReason"]["value"]["errors"] == {
        "lost_reason": ["Say why the deal was lost."]
    }
    assert set(bulk["requestBody"]["content"]["application/json"]["examples"]) == {"TwoDeals"}
    assert set(bulk["responses"]["200"]["content"]["application/json"]["examples"]) == {
        "FirstDelivery",
        "TheSameBatchAgain",
    }
    assert set(bulk["responses"]["400"]["content"]["application/json"]["examples"]) == {"ABadRow"}


def test_transitions_schema_is_a_plain_list(schema):
    body = schema["paths"]["/api/v1/deals/{id}/transitions/"]["get"]["responses"]["200"]
    assert body["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/StageTransition"},
    }


def test_lists_are_paginated_and_filterable_in_the_schema(schema):
    deals = schema["paths"]["/api/v1/deals/"]["get"]
    params = {p["name"] for p in deals["parameters"]}

    assert {"page", "page_size", "owner", "team", "pipeline", "stage", "status"} <= params
    assert {"expected_close_from", "expected_close_to", "needs_attention"} <= params
    assert deals["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedDealList"
    }


def test_spectacular_still_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    document = yaml.safe_load(out.read_text())
    assert set(document["paths"]) >= CRM_PATHS
