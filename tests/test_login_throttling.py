"""Log-in throttling: one username from one address is locked after 5 wrong passwords."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-long-password"


@pytest.fixture
def users():
    model = get_user_model()
    return model.objects.create_user("cio", password=PASSWORD), model.objects.create_user("ana", password=PASSWORD)


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_that_user_from_that_address_even_with_the_right_one(users):
    client = Client()
    for _ in range(4):
        assert attempt(client, "cio", "guess").status_code == 200  # the form again, with its error
    assert attempt(client, "cio", "guess").status_code == 429  # the fifth locks
    locked = attempt(client, "cio", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_only_for_that_username_and_address(users):
    client = Client()
    for _ in range(5):
        attempt(client, "cio", "guess")
    assert attempt(Client(), "ana", PASSWORD).status_code == 302  # another user: in
    assert attempt(Client(), "cio", PASSWORD, ip="10.0.0.2").status_code == 302  # another address


def test_a_successful_log_in_resets_the_count(users):
    client = Client()
    for _ in range(4):
        attempt(client, "cio", "guess")
    assert attempt(client, "cio", PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):
        attempt(other, "cio", "guess")
    assert attempt(other, "cio", PASSWORD).status_code == 302
