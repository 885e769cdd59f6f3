"""The workspace's nav: managers reach the routing dashboard they may read."""

import pytest

from tests.workspace.people import make_manager, make_rep

pytestmark = pytest.mark.django_db


def test_it_links_the_dashboard_for_a_manager(client):
    client.force_login(make_manager())
    page = client.get("/").content.decode()
    assert 'href="/admin/routing/dashboard/">Dashboard</a>' in page
    assert client.get("/admin/routing/dashboard/").status_code == 200


def test_it_shows_no_dashboard_link_to_a_rep(client):
    client.force_login(make_rep())
    page = client.get("/").content.decode()
    assert "/admin/routing/dashboard/" not in page
