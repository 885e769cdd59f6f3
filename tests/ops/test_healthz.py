import pytest
from django.db import connection

from tests.helpers import make_user


@pytest.mark.django_db
def test_it_reports_database_and_worker_to_staff(client):
    client.force_login(make_user("ops", staff=True))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    # No qcluster runs in the test process: the heartbeat is reported missing, not faked.
    assert body["worker"]["status"] == "missing"


@pytest.mark.django_db
def test_it_answers_503_when_the_database_is_unreachable(client, settings):
    real = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real
    assert response.status_code == 503
    assert response.json()["database"].startswith("unreachable")


def test_it_is_never_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.post("/webhooks/raw/", data=b"", content_type="message/rfc822")
    assert response.status_code not in (301, 302, 307, 308)


@pytest.mark.django_db
def test_it_tells_anonymous_callers_nothing_about_workers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_it_hides_the_database_error_from_anonymous_callers(client):
    real = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real
    # Who asks cannot be known without the database: everyone gets the same two words.
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
