"""With DEBUG off (as `make run` and production run), errors show the app's own pages, and /favicon.ico answers."""

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import path, reverse

from core.middleware import server_error
from crm.urls import handler403, handler404, handler500  # noqa: F401 - this test URLconf keeps the app's handlers
from crm.urls import urlpatterns as app_urlpatterns

DEBUG_PAGE_TEXT = ("DEBUG = True", "Using the URLconf", "Traceback", "Django tried these URL patterns")


def forbidden(request):
    raise PermissionDenied("role")


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test-only/forbidden/", forbidden),
    path("test-only/crash/", crash),
    path("api/v1/test-only/crash/", crash),
    *app_urlpatterns,
]


def assert_app_page(response, *, title: str) -> str:
    content = response.content.decode()
    assert title in content
    assert 'class="topbar"' in content and "/static/css/app.css" in content, "not in the app's layout"
    assert f'href="{reverse("home")}"' in content, "no way back home"
    assert not any(text in content for text in DEBUG_PAGE_TEXT)
    return content


@pytest.mark.django_db
def test_a_missing_page_shows_the_apps_404_with_a_link_home(client, settings):
    assert settings.DEBUG is False

    response = client.get("/nope/")

    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    assert_app_page(response, title="Page not found")


@pytest.mark.django_db
def test_a_signed_in_user_keeps_the_navigation_on_the_404_page(client, rep):
    client.force_login(rep)

    content = assert_app_page(client.get("/nope/"), title="Page not found")

    assert reverse("leads:list") in content and "Log out" in content


@pytest.mark.django_db
def test_a_missing_api_url_answers_the_api_error_body():
    response = Client().get("/api/v1/nope/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_forbidden_page_shows_the_apps_403(client, rep):
    client.force_login(rep)

    response = client.get("/test-only/forbidden/")

    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    assert_app_page(response, title="You can't do this")


@pytest.mark.django_db
def test_an_expired_form_shows_the_apps_csrf_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "rep1", "password": "x"})

    assert response.status_code == 403
    assert_app_page(response, title="This form has expired")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crash_shows_the_apps_500_page_from_the_handler():
    client = Client(raise_request_exception=False)

    response = client.get("/test-only/crash/")

    assert response.status_code == 500
    assert "500.html" in [template.name for template in response.templates]
    assert_app_page(response, title="Something went wrong")
    assert "boom" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crash_under_the_api_answers_the_api_error_body():
    response = Client(raise_request_exception=False).get("/api/v1/test-only/crash/")

    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "detail": "A server error occurred."}


def test_the_500_page_needs_neither_the_database_nor_a_user():
    # given a request that never went through the session or auth middleware, and (no django_db mark) no database
    request = RequestFactory().get("/leads/")

    response = server_error(request)

    assert response.status_code == 500
    assert_app_page(response, title="Something went wrong")
    assert "Log out" not in response.content.decode()


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_static_icon_linked_from_every_page(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
    login_page = client.get(reverse("login")).content.decode()
    assert 'href="/static/favicon.ico"' in login_page and 'href="/static/favicon.svg"' in login_page


@pytest.mark.django_db
def test_whitenoise_serves_the_icon_from_the_source_folders_as_make_run_does(settings):
    # given the embedded default's static setup: DEBUG off, files found where they live, nothing collected
    settings.WHITENOISE_USE_FINDERS = True

    response = Client().get("/static/favicon.ico")  # a new client builds its middleware from these settings

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"
