"""Monthly reviews in the reader's language: the page, and the notices written in the
recipient's language whatever the sender reads."""

from datetime import date

from django.urls import reverse
from django.utils import translation

from reporting.reviews import services as reviews
from salesmgmt.models import Notification, NotificationKind
from tests.reporting.reviews.test_pages import planned_month

MARCH = date(2025, 3, 1)


def test_review_page_in_greek(rep, manager, client_for):
    """The page and the stored figures' words (a miss's label) in Greek, figures too."""
    planned_month(rep, 40, 10)
    review = reviews.build_monthly_review(rep=rep, month=MARCH)
    response = client_for(manager).get(
        reverse("reviews:detail", args=[review.pk]), HTTP_ACCEPT_LANGUAGE="el"
    )
    html = response.content.decode()
    assert '<html lang="el"' in html
    assert "Εβδομαδιαία πλάνα" in html and "Σημεία βελτίωσης" in html
    assert "<strong>Weekly plans</strong>" not in html and "Areas to improve" not in html
    assert ": προγραμματισμένο έναντι πραγματικού</strong>" in html
    assert "planned vs done" not in html


def test_shared_review_notice_is_in_the_reps_language(rep, manager):
    """An English-reading manager shares; the Greek-reading rep is told in Greek."""
    rep.language, manager.language = "el", "en"
    rep.save(update_fields=["language"])
    manager.save(update_fields=["language"])
    review = reviews.build_monthly_review(rep=rep, month=MARCH)
    reviews.share_review(review=review, by=manager, version=review.version)
    notice = Notification.objects.get(user=rep, kind=NotificationKind.REVIEW_SHARED)
    assert notice.title == f"Ο/Η {manager} κοινοποίησε την αξιολόγησή σας (Μάρτιος 2025)"
    assert notice.body.startswith("Διαβάστε την")


def test_acknowledged_notice_is_in_the_managers_language(rep, manager):
    """The Greek-reading rep acknowledges; the Indonesian-reading manager reads Indonesian."""
    rep.language, manager.language = "el", "id"
    rep.save(update_fields=["language"])
    manager.save(update_fields=["language"])
    review = reviews.build_monthly_review(rep=rep, month=MARCH)
    review = reviews.share_review(review=review, by=manager, version=review.version)
    reviews.acknowledge_review(review=review, by=rep, version=review.version, comment="OK")
    notice = Notification.objects.get(user=manager, kind=NotificationKind.REVIEW_ACKNOWLEDGED)
    assert notice.title == f"{rep} telah mengonfirmasi evaluasi Maret 2025"


def test_a_miss_is_stored_in_english_and_read_in_the_readers_language(rep, manager):
    """Whoever regenerates, in whatever language, the stored label stays English (the
    API's and the other readers'); the miss reads in each reader's own language."""
    planned_month(rep, 40, 10)
    with translation.override("el"):  # a Greek manager regenerates
        review = reviews.build_monthly_review(rep=rep, month=MARCH)
    miss = review.misses.get()

    assert miss.label.endswith(": planned vs done")
    with translation.override("el"):
        assert miss.display_label.endswith(": προγραμματισμένο έναντι πραγματικού")
    with translation.override("en"):
        assert miss.display_label == miss.label
