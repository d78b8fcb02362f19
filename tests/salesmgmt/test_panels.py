"""Panel slots: how pages of lower apps show what coaching knows without importing it."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from salesmgmt import panels


@pytest.fixture
def slot(monkeypatch):
    """The "review" slot emptied for the test (and restored after)."""
    monkeypatch.setattr(panels, "_providers", panels.defaultdict(list))
    return "review"


def first(request, **objects):
    return f"<p>first {objects['review']}</p>"


def second(request, **objects):
    return "<p>second</p>"


def silent(request, **objects):
    return ""


def test_panels_render_in_order_with_the_objects_given(slot):
    panels.register(slot, second, order=20)
    panels.register(slot, first, order=10)
    panels.register(slot, silent, order=5)

    html = panels.render_slot(slot, RequestFactory().get("/"), review="R1")

    assert html == "<p>first R1</p><p>second</p>"


def test_registering_again_replaces_rather_than_repeats(slot):
    panels.register(slot, first, order=10)
    panels.register(slot, first, order=30)

    assert panels.providers(slot) == [first]


def test_an_unknown_slot_is_refused(slot):
    with pytest.raises(ValueError, match="No panel slot 'reveiw'"):
        panels.register("reveiw", first)


def test_the_template_tag_fills_a_slot(slot):
    panels.register(slot, first)
    template = Template('{% load panels %}<div>{% panels "review" review=name %}</div>')

    html = template.render(Context({"request": RequestFactory().get("/"), "name": "May"}))

    assert html == "<div><p>first May</p></div>"
