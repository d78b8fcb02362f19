"""The admin speaks plain English: section and model names read as people say them."""

import re

from django.apps import apps
from django.contrib import admin as django_admin
from django.urls import reverse

OURS = {"salesmgmt", "activities", "plans", "reporting", "coaching"}


def test_every_model_has_a_proper_plural(db):
    """Django's default plural adds an "s": "deliverys", "misss". Each of ours is set."""
    wrong = [
        f"{m._meta.label}: {m._meta.verbose_name_plural}"
        for m in apps.get_models()
        if m._meta.app_label in OURS
        and re.search(r"([^aeiou]ys|sss|shs|chs|xs)$", str(m._meta.verbose_name_plural))
    ]
    assert wrong == []


def test_the_admin_files_goals_with_plans(client_for, admin):
    page = client_for(admin).get(reverse("admin:index")).content.decode()
    assert "Plans and goals" in page and "Weekly plans" in page and "Goals" in page
    assert "Report pack deliveries" in page
    assert django_admin.site.is_registered(apps.get_model("plans", "Goal"))
