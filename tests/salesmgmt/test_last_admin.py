"""Nobody locks the company out (issue 8 §3).

Nobody changes their own role, active flag or superuser status, nor deletes
themself; the last active administrator is never demoted, deactivated or
deleted. One rule (salesmgmt.org.services.check_user_change / check_users_removable)
for the API and the Django admin (change form, delete page, "delete selected").
"""

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from salesmgmt.models import Role, User
from tests.factories import UserFactory
from tests.factories.api import invalid

OWN_ROLE = "You cannot change your own role; ask another administrator."
OWN_ACTIVE = "You cannot deactivate your own account; ask another administrator."
OWN_DELETE = "You cannot delete your own account; ask another administrator."
LAST_DELETE = (
    "That would delete the last active administrator; make someone else an administrator first."
)


def last_admin(user):
    return f"{user} is the last active administrator; make someone else an administrator first."


@pytest.fixture
def second_admin(db):
    return UserFactory(username="admin2", first_name="Alan", last_name="Second", role=Role.ADMIN)


@pytest.fixture
def helpdesk(db):
    """Staff who may edit and delete users in the Django admin, without being an admin."""
    user = UserFactory(username="helpdesk", role=Role.REP, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="salesmgmt",
            codename__in=["view_user", "change_user", "delete_user"],
        )
    )
    return user


def stored(user):
    return User.objects.values("role", "is_active", "is_superuser").get(pk=user.pk)


# --- API --------------------------------------------------------------------------------------


def test_the_only_admin_cannot_demote_themself(admin, api_for):
    """The fuzzed request: the only admin PATCHing their own role away."""
    response = api_for(admin).patch(f"/api/v1/users/{admin.pk}/", {"role": "rep"})

    assert response.status_code == 400
    assert response.data == invalid({"role": [OWN_ROLE]})
    assert stored(admin)["role"] == Role.ADMIN


def test_an_admin_cannot_deactivate_themself(admin, second_admin, api_for):
    response = api_for(admin).patch(
        f"/api/v1/users/{admin.pk}/", {"is_active": False, "role": "rep"}
    )

    assert response.status_code == 400
    assert response.data == invalid({"role": [OWN_ROLE], "is_active": [OWN_ACTIVE]})
    assert stored(admin) == {"role": Role.ADMIN, "is_active": True, "is_superuser": True}


def test_an_admin_may_edit_their_own_details_and_resend_their_role(admin, api_for):
    response = api_for(admin).patch(
        f"/api/v1/users/{admin.pk}/",
        {"first_name": "Adele", "role": "admin", "is_active": True},
    )

    assert response.status_code == 200, response.data
    assert User.objects.get(pk=admin.pk).first_name == "Adele"


def test_an_admin_demotes_another_admin(admin, second_admin, api_for):
    response = api_for(admin).patch(f"/api/v1/users/{second_admin.pk}/", {"role": "manager"})

    assert response.status_code == 200, response.data
    assert stored(second_admin)["role"] == Role.MANAGER


def test_an_admin_edits_and_deactivates_another_user(admin, rep, api_for):
    response = api_for(admin).patch(
        f"/api/v1/users/{rep.pk}/", {"role": "manager", "is_active": False}
    )

    assert response.status_code == 200, response.data
    assert stored(rep) == {"role": Role.MANAGER, "is_active": False, "is_superuser": False}


def test_users_are_not_deleted_through_the_api(admin, rep, api_for):
    assert api_for(admin).delete(f"/api/v1/users/{rep.pk}/").status_code == 405
    assert User.objects.filter(pk=rep.pk).exists()


# --- Django admin: the change form ------------------------------------------------------------


def change_url(user):
    return f"/admin/salesmgmt/user/{user.pk}/change/"


def change_form_data(client, user, **changes) -> dict:
    """What the admin's change form posts back unchanged, with ``changes`` applied."""
    form = client.get(change_url(user)).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = changes[name] if name in changes else form[name].value()
        if isinstance(value, datetime):
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def test_admin_form_refuses_an_admin_demoting_themself(admin, second_admin, client):
    client.force_login(admin)

    response = client.post(change_url(admin), change_form_data(client, admin, role=Role.REP))

    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors == {"role": [OWN_ROLE]}
    assert stored(admin)["role"] == Role.ADMIN


def test_admin_form_refuses_an_admin_deactivating_themself(admin, second_admin, client):
    client.force_login(admin)

    response = client.post(change_url(admin), change_form_data(client, admin, is_active=False))

    assert response.context["adminform"].form.errors == {"is_active": [OWN_ACTIVE]}
    assert stored(admin)["is_active"] is True


def test_admin_form_refuses_demoting_the_last_admin(admin, helpdesk, client):
    client.force_login(helpdesk)

    response = client.post(
        change_url(admin),
        change_form_data(client, admin, role=Role.REP, is_superuser=False),
    )

    assert response.context["adminform"].form.errors == {
        "role": [last_admin(admin)],
        "is_superuser": [last_admin(admin)],
    }
    assert stored(admin) == {"role": Role.ADMIN, "is_active": True, "is_superuser": True}


def test_admin_form_refuses_deactivating_the_last_admin(admin, helpdesk, client):
    client.force_login(helpdesk)

    response = client.post(change_url(admin), change_form_data(client, admin, is_active=False))

    assert response.context["adminform"].form.errors == {"is_active": [last_admin(admin)]}
    assert stored(admin)["is_active"] is True


def test_admin_form_lets_a_superuser_keep_admin_powers_without_the_role(admin, helpdesk, client):
    """A superuser is an administrator whatever their role: that change locks nobody out."""
    client.force_login(helpdesk)

    response = client.post(change_url(admin), change_form_data(client, admin, role=Role.MANAGER))

    assert response.status_code == 302
    assert stored(admin) == {"role": Role.MANAGER, "is_active": True, "is_superuser": True}


def test_admin_form_demotes_an_admin_when_another_remains(admin, second_admin, client):
    client.force_login(admin)

    response = client.post(
        change_url(second_admin),
        change_form_data(client, second_admin, role=Role.REP, is_active=False),
    )

    assert response.status_code == 302
    assert stored(second_admin) == {"role": Role.REP, "is_active": False, "is_superuser": False}


# --- Django admin: deleting -------------------------------------------------------------------


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_delete_page_refuses_deleting_yourself(admin, second_admin, client):
    client.force_login(admin)

    response = client.post(f"/admin/salesmgmt/user/{admin.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert response.url == change_url(admin)
    assert messages_of(response) == [OWN_DELETE]
    assert User.objects.filter(pk=admin.pk).exists()


def test_admin_delete_page_refuses_deleting_the_last_admin(admin, helpdesk, client):
    client.force_login(helpdesk)

    confirm = client.get(f"/admin/salesmgmt/user/{admin.pk}/delete/")
    response = client.post(f"/admin/salesmgmt/user/{admin.pk}/delete/", {"post": "yes"})

    assert confirm.status_code == 302  # no confirmation page either
    assert messages_of(response) == [LAST_DELETE, LAST_DELETE]  # one per request
    assert User.objects.filter(pk=admin.pk).exists()


def test_admin_delete_page_deletes_another_user(admin, rep, client):
    client.force_login(admin)

    response = client.post(f"/admin/salesmgmt/user/{rep.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=rep.pk).exists()


def delete_selected(client, users, *, confirm: bool):
    data = {"action": "delete_selected", "_selected_action": [u.pk for u in users]}
    if confirm:
        data["post"] = "yes"
    return client.post("/admin/salesmgmt/user/", data)


def test_delete_selected_refuses_a_selection_with_yourself(admin, second_admin, rep, client):
    client.force_login(admin)

    asked = delete_selected(client, [admin, rep], confirm=False)
    response = delete_selected(client, [admin, rep], confirm=True)

    assert asked.status_code == response.status_code == 302  # back to the list
    assert messages_of(response) == [OWN_DELETE, OWN_DELETE]  # one per request
    assert User.objects.filter(pk__in=[admin.pk, rep.pk]).count() == 2


def test_delete_selected_refuses_deleting_every_active_admin(admin, second_admin, helpdesk, client):
    client.force_login(helpdesk)

    response = delete_selected(client, [admin, second_admin], confirm=True)

    assert messages_of(response) == [LAST_DELETE]
    assert User.objects.filter(pk__in=[admin.pk, second_admin.pk]).count() == 2


def test_delete_selected_deletes_others_when_an_admin_remains(
    admin, second_admin, rep, teammate, client
):
    client.force_login(admin)

    asked = delete_selected(client, [second_admin, rep, teammate], confirm=False)
    response = delete_selected(client, [second_admin, rep, teammate], confirm=True)

    assert asked.status_code == 200  # Django's confirmation page
    assert response.status_code == 302
    assert list(User.objects.filter(pk__in=[second_admin.pk, rep.pk, teammate.pk])) == []
    assert User.objects.filter(pk=admin.pk).exists()
