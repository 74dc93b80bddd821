"""Optional two-step sign-in (TOTP) for staff."""

import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.core.test_admin import sign_in

LOGIN = "/{language}/admin/login/?next=/{language}/admin/"


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_without_an_authenticator_sign_in_with_the_password(client):
    response = sign_in(client, factories.staff(role="Editor"))
    assert response.status_code == 302
    assert client.get("/vi/admin/").status_code == 200


@pytest.mark.parametrize(
    ("language", "required", "wrong", "throttled"),
    [
        ("vi", "Nhập mã sáu chữ số", "Mã xác thực không đúng hoặc đã hết hạn", "Nhập sai mã"),
        (
            "en",
            "Enter the six-digit code",
            "That authentication code is wrong or has expired",
            "Too many wrong codes",
        ),
    ],
)
def test_staff_with_an_authenticator_must_give_its_code(
    client, language, required, wrong, throttled
):
    editor = factories.staff(role="Editor")
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    page = client.get(LOGIN.format(language=language)).content.decode()
    assert 'name="otp_token"' in page and 'autocomplete="one-time-code"' in page

    response = sign_in(client, editor, language)
    assert response.status_code == 200
    assert required in response.content.decode()
    response = sign_in(
        client, editor, language, otp_token="000000" if code(device) != "000000" else "111111"
    )
    assert response.status_code == 200
    assert wrong in response.content.decode()
    assert client.get(f"/{language}/admin/").status_code == 302

    # Each wrong code doubles the wait before the next try (django-otp).
    response = sign_in(client, editor, language, otp_token=code(device))
    assert response.status_code == 200
    assert throttled in response.content.decode()
    time.sleep(1.1)
    response = sign_in(client, editor, language, otp_token=code(device))
    assert response.status_code == 302
    assert client.get(f"/{language}/admin/").status_code == 200


def test_a_session_not_verified_by_the_authenticator_is_refused(client):
    editor = factories.staff(role="Editor")
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client.force_login(editor)  # the password alone, by any other way in
    response = client.get("/vi/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/vi/admin/login/")


def test_an_unconfirmed_authenticator_does_not_lock_its_owner_out(client):
    editor = factories.staff(role="Editor")
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=False)
    assert sign_in(client, editor).status_code == 302


def test_two_step_sign_in_can_be_required_for_all_staff(client, settings):
    settings.ADMIN_REQUIRE_2FA = True
    editor = factories.staff(role="Editor")
    response = sign_in(client, editor)
    assert response.status_code == 200
    assert "Đăng nhập hai bước là bắt buộc" in response.content.decode()
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    assert sign_in(client, editor, otp_token=code(device)).status_code == 302
    assert client.get("/vi/admin/").status_code == 200


def test_an_administrator_sets_up_an_authenticator_with_its_qr_code(client):
    admin = factories.staff(superuser=True)
    client.force_login(admin)
    editor = factories.staff(role="Editor")
    response = client.post(
        "/vi/admin/otp_totp/totpdevice/add/",
        {
            "user": editor.pk,
            "name": "Điện thoại",
            "key": TOTPDevice._meta.get_field("key").default(),
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "confirmed": "on",
            "throttling_failure_count": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    device = TOTPDevice.objects.get(user=editor)
    qr = client.get(f"/vi/admin/otp_totp/totpdevice/{device.pk}/qrcode/")
    assert qr.status_code == 200
    assert qr["Content-Type"].startswith("image/svg+xml")
