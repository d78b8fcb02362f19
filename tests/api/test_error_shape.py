"""Every error under /api/ answers JSON in the one documented shape, never an HTML page.

``{"status": ..., "code": ..., "detail": ...}``: DRF's own errors, a bug inside a
view (logged, then a 500 body), and Django-level errors before any view runs
(an unmatched URL such as a non-integer id). Pages outside /api/ keep their pages.
"""

import json
from unittest import mock

import pytest

from salesmgmt import urls
from salesmgmt.org.services import create_api_token

URL = "/api/v1/metrics/"


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def token_client(rep, client):

    _, key = create_api_token(user=rep, name="errors")
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    client.raise_request_exception = False  # what a client sees with DEBUG off
    return client


def test_a_bug_inside_a_view_is_a_logged_json_500(token_client, caplog):
    with mock.patch(
        "activities.catalogue.api.MetricViewSet.get_queryset", side_effect=RuntimeError("boom")
    ):
        response = token_client.get(URL)

    body = assert_error_shape(response, 500, "server_error")
    assert "boom" not in body["detail"]  # no internals leak
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)


def test_the_django_level_500_handler_answers_json_under_api_only(rf):

    assert_error_shape(urls.handler500(rf.get("/api/v1/metrics/")), 500, "server_error")
    assert urls.handler500(rf.get("/goals/"))["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/goals/0.5/",
        "/api/v1/goals/abc/",
        "/api/v1/no-such-thing/",
        "/api/v2/",
        "/api/v1/reviews/1/misses/x/",
    ],
)
def test_unmatched_api_urls_are_json_404s(token_client, path):
    assert_error_shape(token_client.get(path), 404, "not_found")


@pytest.mark.django_db  # a visitor's language falls back to the company's default
def test_unmatched_api_url_is_json_for_anonymous_callers_too(client):
    assert_error_shape(client.get("/api/v1/goals/0.5/"), 404, "not_found")


def test_pages_keep_their_html_404(rep, client_for):
    response = client_for(rep).get("/goals/0.5/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_missing_object_is_json_404(token_client):
    assert_error_shape(token_client.get("/api/v1/goals/999999/"), 404, "not_found")


def test_wrong_method_is_json_405(admin, client):
    client.force_login(admin)

    assert_error_shape(client.delete(f"{URL}1/"), 405, "method_not_allowed")


def test_unsupported_media_type_is_json_415(admin, client):
    client.force_login(admin)

    response = client.post(URL, data="<metric/>", content_type="application/xml")

    assert_error_shape(response, 415, "unsupported_media_type")


def test_unacceptable_format_is_json_406(token_client):
    response = token_client.get(URL, HTTP_ACCEPT="application/xml")

    assert_error_shape(response, 406, "not_acceptable")


@pytest.mark.django_db  # a visitor's language falls back to the company's default
def test_not_signed_in_is_json_401(client):
    assert_error_shape(client.get(URL), 401, "not_authenticated")


def test_a_bad_boolean_filter_is_a_400(token_client):
    body = assert_error_shape(token_client.get(URL, {"active": "107755"}), 400, "invalid")

    assert body["errors"] == {"active": ["Give true or false."]}
    assert token_client.get(URL, {"active": "false"}).status_code == 200


def test_an_unknown_ordering_field_is_a_400(token_client):
    response = token_client.get("/api/v1/activities/", {"ordering": "-password"})

    body = assert_error_shape(response, 400, "invalid")
    assert "ordering" in body["errors"]
    assert token_client.get("/api/v1/activities/", {"ordering": "-day,quantity"}).status_code == 200
