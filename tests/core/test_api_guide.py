"""docs/api.md, the API guide the Swagger page points to, names only routes the server has."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

GUIDE = Path(settings.BASE_DIR) / "docs" / "api.md"


def _guide_paths() -> set[str]:
    text = GUIDE.read_text()
    paths = {f"/api/v1/{path}" for path in re.findall(r"\$BASE/([\w\-/{}.]*)", text)}
    paths |= set(re.findall(r"(/api/v1/[\w\-/{}.]*)", text))
    for path in re.findall(r"\b(?:GET|POST|PUT|PATCH|DELETE) (/[\w\-/{}<>.]+)", text):
        paths.add(path if path.startswith(("/api/", "/unsubscribe/")) else f"/api/v1{path}")
    return {
        re.sub(r"\{\w+\}", "1", path).replace("<signed-token>", "token").replace("<resource>", "leads")
        for path in paths
    }


def test_the_swagger_page_names_the_guide_and_the_guide_exists():
    assert "docs/api.md" in settings.SPECTACULAR_SETTINGS["DESCRIPTION"]
    assert "API.md" not in settings.SPECTACULAR_SETTINGS["DESCRIPTION"].replace("docs/api.md", "")
    assert GUIDE.is_file()


@pytest.mark.parametrize("path", sorted(_guide_paths()))
def test_every_path_in_the_guide_is_a_route(path):
    try:
        resolve(path)
    except Resolver404:
        pytest.fail(f"docs/api.md names {path}, which no URL pattern serves")
