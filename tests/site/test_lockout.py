"""Staff sign-in is throttled: repeated wrong passwords lock the user name out
for a while from that address, with a page in the reader's language."""

import pytest
from django.conf import settings

from tests import factories
from tests.factories import PASSWORD


def sign_in(client, language, username, password, address="203.0.113.7"):
    return client.post(
        f"/{language}/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.mark.parametrize(
    "language, heading", [("vi", "Đăng nhập sai quá nhiều lần"), ("en", "Too many failed")]
)
def test_repeated_wrong_passwords_lock_the_account_out(client, language, heading):
    user = factories.staff(role="Editor")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, language, user.username, "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, language, user.username, "wrong")
    assert response.status_code == 429
    text = response.content.decode()
    assert heading in text
    assert f'lang="{language}"' in text
    # Even the right password is refused during the cool-off.
    response = sign_in(client, language, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_user_name_and_address(client):
    victim = factories.staff(role="Editor")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "en", victim.username, "wrong", address="198.51.100.1")
    # The real user, from another address, still gets in.
    response = sign_in(client, "en", victim.username, PASSWORD, address="192.0.2.44")
    assert response.status_code == 302


def test_a_success_resets_the_count(client):
    user = factories.staff(role="Editor")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "en", user.username, "wrong")
    assert sign_in(client, "en", user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "en", user.username, "wrong").status_code == 200
