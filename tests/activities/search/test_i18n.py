"""The global search in the reader's language: titles, group names, the facts of each
hit (a stage, an amount in the reader's money format) and the messages."""

from decimal import Decimal

from django.urls import reverse

from activities.models import Stage

GREEK = {"HTTP_ACCEPT_LANGUAGE": "el"}
INDONESIAN = {"HTTP_ACCEPT_LANGUAGE": "id"}


def test_search_page_in_greek_with_greek_stage_and_money(client_for, rep, books):
    deal = books["rep"][2]
    deal.amount = Decimal("12500.50")
    deal.stage = Stage.objects.get(pipeline__key="new-business", key="negotiation")
    deal.save()

    body = client_for(rep).get(reverse("search:page"), {"q": "harbour"}, **GREEK).content.decode()

    assert '<html lang="el"' in body
    assert "Αναζήτηση" in body  # "Search"
    assert "Πελάτες" in body and "Επαφές" in body and "Ευκαιρίες" in body  # the groups
    assert "Διαπραγμάτευση" in body  # the seeded stage "Negotiation"
    assert "12.500,50" in body  # the deal's amount with Greek separators
    main = body.split("<main", 1)[1]  # the top bar is another page's to translate
    assert "Customers" not in main
    assert "Negotiation" not in main


def test_search_messages_in_indonesian(client_for, rep):
    client = client_for(rep)

    short = client.get(reverse("search:page"), {"q": "z"}, **INDONESIAN).content.decode()
    none = client.get(reverse("search:dropdown"), {"q": "qqqq"}, **INDONESIAN).content.decode()

    assert "Ketik minimal 2 karakter untuk mencari." in short
    assert "Tidak ada yang cocok dengan “qqqq”." in none
