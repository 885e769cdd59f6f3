"""Signing in and out, and resetting a forgotten password by email."""

import re

import pytest

from tests.workspace.people import make_rep

pytestmark = pytest.mark.django_db


def test_it_sends_a_rep_back_to_the_page_they_asked_for(client):
    make_rep("dana", password="a-long-password-1")
    response = client.post(
        "/login/?next=/leads/1/",
        {"username": "dana", "password": "a-long-password-1", "next": "/leads/1/"},
    )
    assert response["Location"] == "/leads/1/"


def test_it_says_when_the_password_is_wrong(client):
    make_rep("dana", password="a-long-password-1")
    response = client.post("/login/", {"username": "dana", "password": "nope"})
    assert response.status_code == 200
    assert b"did not match" in response.content


def test_it_signs_out_on_post_only(client):
    client.force_login(make_rep())
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_it_resets_a_forgotten_password_by_email(client, mailoutbox):
    make_rep("dana", password="the-old-password-1")
    response = client.post("/password_reset/", {"email": "dana@leadrouter.test"})
    assert response["Location"] == "/password_reset/done/"
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/]+(/reset/\S+)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-secret-7", "new_password2": "a-brand-new-secret-7"},
    )
    assert done["Location"] == "/reset/done/"
    assert client.login(username="dana", password="a-brand-new-secret-7")


def test_it_does_not_say_whether_an_address_has_an_account(client, mailoutbox):
    response = client.post("/password_reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/password_reset/done/"
    assert mailoutbox == []
