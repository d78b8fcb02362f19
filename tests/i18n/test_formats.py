"""Dates, numbers and money in each language (salesmgmt/formats, salesmgmt.money)."""

import importlib
from datetime import date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

from salesmgmt.formats import __doc__ as FORMATS_DOC
from salesmgmt.i18n import language_of, supported, translated_name
from salesmgmt.models import CompanySettings
from salesmgmt.money import format_money

LANGUAGES = ["en", "id", "fil", "el"]
NAMED = [
    line.split()[0]
    for line in FORMATS_DOC.splitlines()
    if line[:1].isupper() and "_" in line.split()[0]
]
DAY = date(2026, 12, 5)  # a Saturday
MOMENT = datetime(2026, 12, 5, 14, 30)


def test_every_language_defines_every_named_format():
    assert len(NAMED) == 16
    for language in LANGUAGES:
        module = importlib.import_module(f"salesmgmt.formats.{language}.formats")
        assert [name for name in NAMED if not hasattr(module, name)] == [], language


@pytest.mark.parametrize(
    ("language", "day", "moment", "long"),
    [
        ("en", "5 Dec 2026", "Sat 5 Dec, 14:30", "5 December 2026"),
        ("id", "5 Des 2026", "Sab, 5 Des, 14.30", "5 Desember 2026"),
        ("fil", "Dis 5, 2026", "Sab, Dis 5, 2:30 PM", "Disyembre 5, 2026"),
        ("el", "5 Δεκ 2026", "Σαβ 5 Δεκ, 14:30", "5 Δεκεμβρίου 2026"),
    ],
)
def test_dates_read_as_each_language_writes_them(language, day, moment, long):
    with translation.override(language):
        assert formats.date_format(DAY, "DATE_MEDIUM") == day
        assert formats.date_format(MOMENT, "WEEKDAY_DATETIME") == moment
        assert formats.date_format(DAY, "LONG_DATE") == long


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("en", "USD", "USD 1,250.50"),
        ("en", "IDR", "IDR 1,250,000"),
        ("id", "IDR", "Rp 1.250.000"),
        ("id", "USD", "US$ 1.250,50"),
        ("fil", "PHP", "₱1,250.50"),
        ("el", "EUR", "1.250,50 €"),
    ],
)
def test_money_follows_the_language_and_the_currency(language, currency, expected):
    value = Decimal("1250000") if currency == "IDR" else Decimal("1250.5")
    with translation.override(language):
        assert format_money(value, currency) == expected


@pytest.mark.django_db
def test_the_money_filter_takes_the_company_currency():
    company = CompanySettings.load()
    company.currency = "EUR"
    company.save()
    template = Template("{{ amount|money }} / {{ amount|money:'amount' }} / {{ nothing|money }}")

    with translation.override("el"):
        shown = template.render(Context({"amount": Decimal("1234.5"), "nothing": None}))

    assert shown == "1.234,50 € / 1.234,50 / —"


def test_numbers_use_each_languages_separators():
    template = Template('{{ value|floatformat:"1g" }}')
    shown = {}
    for language in LANGUAGES:
        with translation.override(language):
            shown[language] = template.render(Context({"value": 12345.67}))
    assert shown == {"en": "12,345.7", "id": "12.345,7", "fil": "12,345.7", "el": "12.345,7"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [("el-GR", "el"), ("fil-PH", "fil"), ("tl", "fil"), ("id-ID", "id"), ("de", None), ("", None)],
)
def test_supported_languages_and_their_variants(code, expected):
    assert supported(code) == expected


@pytest.mark.django_db
def test_a_person_without_a_language_is_written_to_in_the_companys(rep):
    company = CompanySettings.load()
    company.default_language = "id"
    company.save()

    assert language_of(rep) == "id"
    rep.language = "el"
    assert language_of(rep) == "el"


def test_seeded_names_are_shown_translated_and_typed_names_as_typed():
    with translation.override("el"):
        assert translated_name("Monday") == "Δευτέρα"
        assert translated_name("Kalimera Special") == "Kalimera Special"
        assert translated_name("") == ""


@pytest.mark.parametrize("language", LANGUAGES)
def test_date_and_time_inputs_get_the_iso_values_browsers_accept(language):
    """Django writes an input's value in the language's first input format, and a date,
    time or datetime-local input shows anything but ISO as empty."""
    with translation.override(language):
        day = forms.DateInput(attrs={"type": "date"}).render("day", DAY)
        at = forms.TimeInput(attrs={"type": "time"}).render("at", MOMENT.time())
        moment = forms.DateTimeInput(attrs={"type": "datetime-local"}).render("m", MOMENT)

    assert 'value="2026-12-05"' in day
    assert 'value="14:30:00"' in at
    assert 'value="2026-12-05 14:30:00"' in moment


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "-USD 1,250.50"),
        ("id", "-US$ 1.250,50"),
        ("fil", "-US$1,250.50"),
        ("el", "-1.250,50 US$"),
    ],
)
def test_a_negative_amount_has_its_minus_before_the_currency(language, expected):
    with translation.override(language):
        assert format_money(Decimal("-1250.5"), "USD") == expected
        assert format_money("not a number", "USD") == "—"
        assert format_money(None, "USD") == "—"
