"""Failed sign-ins are throttled per username and per client IP (RELIABILITY.md #28), on
the staff sign-in and on the admin's: past the limit even the right password is refused
with the normal form error that says to wait."""

import pytest

from tests.helpers import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 5
    settings.LOGIN_FAILURES_PER_IP = 8
    settings.LOGIN_FAILURE_WINDOW = 900


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_it_refuses_the_right_password_after_too_many_wrong_ones(client, url):
    make_user("dana", staff=True)
    for _ in range(5):
        wrong = client.post(url, {"username": "dana", "password": "guess"})
        assert wrong.status_code == 200
        assert b"wait" not in wrong.content

    response = client.post(url, {"username": "dana", "password": PASSWORD})

    assert response.status_code == 200
    assert b"Too many failed sign-ins" in response.content
    assert b"wait 15 minutes" in response.content
    assert "_auth_user_id" not in client.session


def test_it_counts_the_username_across_addresses_and_case(client):
    make_user("dana")
    for n in range(5):
        client.post("/login/", {"username": "DANA", "password": "guess"}, REMOTE_ADDR=f"10.0.0.{n}")

    response = client.post(
        "/login/", {"username": "dana", "password": PASSWORD}, REMOTE_ADDR="10.0.0.99"
    )

    assert b"Too many failed sign-ins" in response.content


def test_it_throttles_an_address_that_tries_many_usernames(client):
    make_user("dana")
    for n in range(8):
        client.post("/admin/login/", {"username": f"user{n}", "password": "guess"})

    response = client.post("/login/", {"username": "dana", "password": PASSWORD})

    assert b"Too many failed sign-ins" in response.content
    other = client.post(
        "/login/", {"username": "dana", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 302


def test_it_lets_a_few_mistakes_through(client):
    make_user("dana")
    for _ in range(4):
        client.post("/login/", {"username": "dana", "password": "guess"})

    response = client.post("/login/", {"username": "dana", "password": PASSWORD})

    assert response.status_code == 302
