"""No dead ends: a status page for people (linked from every footer), and a favicon where browsers look."""

import pytest

from apps.core import health

pytestmark = pytest.mark.django_db


def test_the_status_page_says_everything_works(client):
    response = client.get("/status/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "All systems are working." in page and "Database" in page and 'href="/status/"' in page


def test_the_status_page_names_what_is_down_without_details_for_the_public(client, admin_client, monkeypatch):
    def broken():
        raise OSError("could not connect to server at 10.0.0.5:5432")

    monkeypatch.setattr(health, "_database", broken)
    page = client.get("/status/")
    assert page.status_code == 503 and "Something is down" in page.content.decode()
    assert "10.0.0.5" not in page.content.decode()
    assert "10.0.0.5" in admin_client.get("/status/").content.decode()  # staff see why


def test_a_favicon_where_browsers_look(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/threadline.svg"
