"""Staff sign-in is throttled: repeated wrong passwords lock the user name out
for a while from that address, and many wrong passwords from one address over
any user names lock the address out, with a page in the reader's language.
Behind the proxy, the address is the one the proxy saw."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from tests import factories
from tests.factories import PASSWORD

PROXY = "10.0.0.2"


def sign_in(client, language, username, password, address="203.0.113.7", forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client.post(
        f"/{language}/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def through_proxy(client, username, password, address, claimed=None):
    """A sign-in from ``address`` through the proxy, which appends the address
    it saw to whatever X-Forwarded-For the client sent (``claimed``)."""
    forwarded = f"{claimed}, {address}" if claimed else address
    return sign_in(client, "en", username, password, address=PROXY, forwarded=forwarded)


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


def test_a_forged_forwarded_address_is_ignored_without_a_proxy(client, settings):
    settings.BEHIND_PROXY = False
    user = factories.staff(role="Editor")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(
            client,
            "en",
            user.username,
            "wrong",
            address="198.51.100.1",
            forwarded=f"192.0.2.{attempt}",
        )
        assert response.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}
    response = sign_in(
        client, "en", user.username, "wrong", address="198.51.100.1", forwarded="192.0.2.99"
    )
    assert response.status_code == 429


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(client, settings):
    settings.BEHIND_PROXY = True
    victim = factories.staff(role="Editor")
    # The attacker claims the victim's address; the proxy appends the real one.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        through_proxy(client, victim.username, "wrong", "198.51.100.1", claimed="192.0.2.44")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}
    assert through_proxy(client, victim.username, PASSWORD, "198.51.100.1").status_code == 429
    # The victim, through the same proxy from their own address, still gets in.
    assert through_proxy(client, victim.username, PASSWORD, "192.0.2.44").status_code == 302


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_one_password_sprayed_over_many_names_locks_the_address_out(client, settings, behind_proxy):
    settings.BEHIND_PROXY = behind_proxy
    attacker, elsewhere = "198.51.100.1", "192.0.2.44"

    def attempt(username, password, address):
        if behind_proxy:
            return through_proxy(client, username, password, address)
        return sign_in(client, "en", username, password, address=address)

    victim = factories.staff(role="Editor")
    statuses = [attempt(f"someone{n}", "Summer2026!", attacker).status_code for n in range(25)]
    assert 429 in statuses
    assert statuses.index(429) == settings.AXES_ADDRESS_FAILURE_LIMIT - 1
    # Every name is refused from that address, even with the right password...
    assert attempt(victim.username, PASSWORD, attacker).status_code == 429
    # ...but the victim, from their own address, is not locked out.
    assert attempt(victim.username, PASSWORD, elsewhere).status_code == 302


def test_a_success_clears_only_its_own_names_failures(client):
    """An attacker's own account, signed in from the spraying address, does not
    wipe out the failures sprayed over other names."""
    own = factories.staff()
    attacker = "198.51.100.1"
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        assert sign_in(client, "en", f"someone{n}", "wrong", address=attacker).status_code == 200
    assert sign_in(client, "en", own.username, PASSWORD, address=attacker).status_code == 302
    client.logout()
    assert sign_in(client, "en", "someone-else", "wrong", address=attacker).status_code == 429


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "192.0.2.44, "])
def test_without_a_usable_forwarded_address_the_proxy_address_counts(client, settings, forwarded):
    settings.BEHIND_PROXY = True
    sign_in(client, "en", "someone", "wrong", address=PROXY, forwarded=forwarded)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]
