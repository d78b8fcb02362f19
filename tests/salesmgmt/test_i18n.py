"""Languages: who reads which, and what the core pages, e-mails and API say in it.

A page is in the signed-in person's saved language, else the switcher's cookie, else
the browser's Accept-Language, else the company default; e-mails and notifications
are in the recipient's language, never the sender's.
"""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.text import format_lazy

from salesmgmt.i18n import lazy_date
from salesmgmt.models import CompanySettings, NotificationKind
from salesmgmt.notifications.services import notify, send_pending_emails
from salesmgmt.org.services import create_api_token

LOGIN_URL = "/accounts/login/"
ME_URL = "/api/v1/me/"


def html_lang(response) -> str:
    page = response.content.decode()
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


# --- The sign-in page and the order of the choices ------------------------------------------


@pytest.mark.parametrize(
    ("header", "lang", "words"),
    [
        ("el", "el", ["Σύνδεση", "Ξεχάσατε τον κωδικό σας;", "Όνομα χρήστη", "Κωδικός πρόσβασης"]),
        ("id", "id", ["Masuk", "Lupa kata sandi?", "Nama pengguna", "Kata sandi"]),
        ("fil", "fil", ["Mag-log in", "Nakalimutan ang password?", "Username", "Password"]),
        ("tl-PH,tl;q=0.9", "fil", ["Mag-log in", "Nakalimutan ang password?"]),
        ("el-GR,en;q=0.5", "el", ["Σύνδεση"]),
    ],
)
def test_login_page_speaks_the_browsers_language(client, db, header, lang, words):
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE=header)

    assert response.status_code == 200
    assert html_lang(response) == lang
    page = response.content.decode()
    for word in words:
        assert word in page
    assert "Forgot your password?" not in page


def test_an_unknown_browser_language_falls_back_to_the_company_default(client, db):
    company = CompanySettings.load()
    company.default_language = "id"
    company.save()

    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="de")

    assert html_lang(response) == "id"
    assert "Lupa kata sandi?" in response.content.decode()


def test_without_a_company_default_english_is_left(client, db):
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="de")

    assert html_lang(response) == "en"
    assert "Forgot your password?" in response.content.decode()


def test_a_saved_preference_beats_the_browser(rep, client_for):
    rep.language = "el"
    rep.save()

    response = client_for(rep).get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="id")

    assert html_lang(response) == "el"
    page = response.content.decode()
    assert "Αποθήκευση προφίλ" in page  # the profile's button
    assert "Αποσύνδεση" in page  # the top bar


def test_the_company_default_applies_to_someone_who_chose_nothing(rep, client_for):
    company = CompanySettings.load()
    company.default_language = "fil"
    company.save()

    response = client_for(rep).get(reverse("profile"))

    assert html_lang(response) == "fil"
    assert "I-save ang profile" in response.content.decode()


# --- The profile's language field -----------------------------------------------------------


def test_profile_shows_the_language_field_translated(rep, client_for):
    rep.language = "el"
    rep.save()

    page = client_for(rep).get(reverse("profile")).content.decode()

    assert '<label for="id_language">Γλώσσα</label>' in page
    assert "Σελίδες, email και ειδοποιήσεις σε αυτή τη γλώσσα" in page
    assert "Pages, e-mails and notifications" not in page


def test_saving_a_language_on_the_profile_is_used_on_the_next_page(rep, client_for):
    pages = client_for(rep)
    response = pages.post(
        reverse("profile"),
        {
            "first_name": rep.first_name,
            "last_name": rep.last_name,
            "email": rep.email,
            "timezone": "Asia/Jakarta",
            "language": "id",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.language == "id"

    page = pages.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")

    assert html_lang(page) == "id"
    assert "Profil disimpan." in page.content.decode()


# --- The switcher ---------------------------------------------------------------------------


def test_switcher_before_sign_in_sets_the_cookie_language(client, db):
    response = client.post("/language/", {"language": "el", "next": LOGIN_URL})
    assert response.status_code == 302

    page = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="id")

    assert html_lang(page) == "el"  # the switcher's choice beats the browser


def test_switcher_after_sign_in_saves_the_choice(rep, client_for):
    pages = client_for(rep)

    pages.post("/language/", {"language": "fil", "next": "/profile/"})

    rep.refresh_from_db()
    assert rep.language == "fil"
    page = pages.get(reverse("profile"), HTTP_ACCEPT_LANGUAGE="el")
    assert html_lang(page) == "fil"


def test_switcher_takes_tl_as_filipino(rep, client_for):
    client_for(rep).post("/language/", {"language": "tl", "next": "/profile/"})

    rep.refresh_from_db()
    assert rep.language == "fil"


def test_switcher_ignores_an_unknown_language(rep, client_for):
    client_for(rep).post("/language/", {"language": "xx", "next": "/profile/"})

    rep.refresh_from_db()
    assert rep.language is None


# --- The API's me ---------------------------------------------------------------------------


def test_me_reads_and_changes_the_language(rep, api_for):
    api = api_for(rep)
    assert api.get(ME_URL).json()["language"] is None

    response = api.patch(ME_URL, {"language": "el"}, format="json")

    assert response.status_code == 200
    assert response.json()["language"] == "el"
    rep.refresh_from_db()
    assert rep.language == "el"

    assert api.patch(ME_URL, {"language": None}, format="json").json()["language"] is None


def test_me_refuses_an_unknown_language_with_a_field_message(rep, api_for):
    response = api_for(rep).patch(ME_URL, {"language": "xx"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["language"] == ['"xx" is not a valid choice.']
    rep.refresh_from_db()
    assert rep.language is None


def test_api_errors_speak_the_callers_language(db, client):
    response = client.get(ME_URL, HTTP_ACCEPT_LANGUAGE="el")

    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Δεν δόθηκαν στοιχεία ταυτοποίησης."


# --- Notifications and e-mails: the recipient's language --------------------------------------


def test_a_notification_from_an_english_manager_reaches_a_greek_rep_in_greek(
    rep, manager, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    manager.language = "en"
    manager.save()
    rep.language = "el"
    rep.save()
    day = date(2026, 12, 5)

    with translation.override(manager.language):  # the manager's request is in English
        notification = notify(
            user=rep,
            kind=NotificationKind.TASK_ASSIGNED,
            key="i18n-test:1",
            title=NotificationKind.TASK_ASSIGNED.label,
            body=format_lazy(
                "{kind}: {channel}",
                kind=NotificationKind.TASK_REMINDER.label,
                channel=lazy_date(day, "DATE_MEDIUM"),
            ),
        )
    send_pending_emails()

    notification.refresh_from_db()
    assert notification.title == "Εργασία που σας ανατέθηκε"
    assert notification.body == "Εργασία με προθεσμία σύντομα: 5 Δεκ 2026"
    assert notification.emailed_at is not None
    [email] = [m for m in mail.outbox if m.to == [rep.email]]
    assert email.subject == "Εργασία που σας ανατέθηκε"
    assert "5 Δεκ 2026" in email.body


def test_the_same_notice_reads_in_indonesian_for_an_indonesian_rep(rep, manager):
    rep.language = "id"
    rep.save()

    with translation.override("el"):
        notification = notify(
            user=rep,
            kind=NotificationKind.KUDOS,
            key="i18n-test:2",
            title=NotificationKind.KUDOS.label,
            body=lazy_date(date(2026, 12, 5), "DATE_MEDIUM"),
        )

    assert notification.title == "Apresiasi untuk Anda"
    assert notification.body == "5 Des 2026"


def test_notification_pages_are_translated_with_localised_dates(rep, client_for):
    rep.language = "el"
    rep.save()
    notify(user=rep, kind=NotificationKind.KUDOS, key="i18n-test:3", title="Hi")

    page = client_for(rep).get(reverse("notifications:list")).content.decode()

    assert "Ειδοποιήσεις" in page
    assert "Σήμανση όλων ως αναγνωσμένων" in page
    assert "Έπαινος για εσάς" in page  # the kind's label


# --- The password-reset e-mail ----------------------------------------------------------------


def test_password_reset_email_is_in_the_account_owners_language(client, rep):
    rep.language = "el"
    rep.save()

    response = client.post(
        reverse("password_reset"), {"email": rep.email}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    [email] = mail.outbox
    assert email.subject == "Επαναφορά του κωδικού σας στο Salesmgmt"
    assert "Γεια σας" in email.body
    assert "/accounts/reset/" in email.body


def test_password_reset_email_without_a_saved_language_follows_the_page(client, rep):
    client.post(reverse("password_reset"), {"email": rep.email}, HTTP_ACCEPT_LANGUAGE="id")

    [email] = mail.outbox
    assert email.subject == "Atur ulang kata sandi Salesmgmt Anda"


# --- Django's own messages in Filipino come from our catalogue --------------------------------


def test_wrong_password_message_is_in_filipino(client, rep):
    response = client.post(
        LOGIN_URL,
        {"username": rep.username, "password": "wrong-password"},
        HTTP_ACCEPT_LANGUAGE="fil",
    )

    page = response.content.decode()
    assert "Pakilagay ang tamang username at password." in page


@pytest.mark.parametrize("language", ["fil", "el", "id"])
def test_the_bell_with_unread_notifications_renders_in_every_language(rep, client_for, language):
    # Filipino's plural formula does arithmetic on the count: the bell's count is lazy.
    rep.language = language
    rep.save()
    for n in range(4):
        notify(user=rep, kind=NotificationKind.KUDOS, key=f"i18n-bell:{n}", title="Hi")

    response = client_for(rep).get(reverse("notifications:list"))

    assert response.status_code == 200
    assert html_lang(response) == language


def test_notifications_csv_stays_machine_readable_in_greek(rep, client_for):
    rep.language = "el"
    rep.save()
    notify(user=rep, kind=NotificationKind.KUDOS, key="i18n-csv:1", title="Hi")

    response = client_for(rep).get(reverse("notifications:list"), {"export": "csv"})

    header, row = b"".join(response.streaming_content).decode().splitlines()
    assert header == "created_at,kind,title,body,url,read_at"
    assert row.startswith(f"{date.today():%Y}-")  # an ISO date, not "5 Δεκ"
    assert ",kudos,Hi," in row


def test_a_token_owners_saved_language_beats_the_clients_header(rep, client):
    rep.language = "el"
    rep.save()
    _token, key = create_api_token(user=rep, name="dialer")

    response = client.patch(
        ME_URL,
        {"language": "xx"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_ACCEPT_LANGUAGE="id",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["language"] == ['Το "xx" δεν είναι έγκυρη επιλογή.']
    assert response["Content-Language"] == "el"
