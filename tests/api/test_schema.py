"""The OpenAPI document and the interactive docs, served offline."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_documents_every_endpoint_with_its_types(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/concerns/",
        "/api/v1/concerns/{id}/dispatch/",
        "/api/v1/inspections/",
        "/api/v1/visit-reports/",
        "/api/v1/compounds/",
        "/api/v1/org-units/",
        "/api/v1/rankings/",
    ):
        assert path in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "responses" in operation, (method, path)
            bodiless = {
                "/api/v1/auth/token/",
                "/api/v1/inspections/{id}/submit/",
                "/api/v1/concerns/{id}/reveal-phone/",
            }
            if method == "post" and path not in bodiless:
                assert "requestBody" in operation, (method, path)
    assert "ConcernStatusEnum" in schema["components"]["schemas"]


def test_the_docs_page_loads_its_scripts_from_the_portal(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
    assert "//unpkg" not in page and "jsdelivr" not in page


def test_the_docs_assets_are_served_by_the_portal(client, settings):
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
