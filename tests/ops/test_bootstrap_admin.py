import stat
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory


@pytest.mark.django_db
def test_first_run_creates_an_admin_with_a_generated_password(tmp_path):
    credentials = tmp_path / "admin-credentials.txt"
    out = StringIO()
    call_command("bootstrap_admin", credentials_file=str(credentials), stdout=out)
    password = credentials.read_text().split("password: ")[1].strip()
    assert len(password) >= 20
    assert password in out.getvalue()
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    # Sign-in goes through django-axes, which needs the request.
    user = authenticate(
        RequestFactory().post("/vi/admin/login/"), username="admin", password=password
    )
    assert user is not None and user.is_superuser


@pytest.mark.django_db
def test_later_runs_do_not_print_or_change_the_password(tmp_path):
    credentials = tmp_path / "admin-credentials.txt"
    call_command("bootstrap_admin", credentials_file=str(credentials), stdout=StringIO())
    first = credentials.read_text()
    out = StringIO()
    call_command("bootstrap_admin", credentials_file=str(credentials), stdout=out)
    assert credentials.read_text() == first
    assert first.split("password: ")[1].strip() not in out.getvalue()
    assert str(credentials) in out.getvalue()
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_two_installations_get_different_passwords(tmp_path):
    passwords = set()
    for name in ("a", "b"):
        get_user_model().objects.all().delete()
        path = tmp_path / name
        call_command("bootstrap_admin", credentials_file=str(path), stdout=StringIO())
        passwords.add(path.read_text())
    assert len(passwords) == 2
