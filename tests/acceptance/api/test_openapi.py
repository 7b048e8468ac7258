"""The API describes itself: OpenAPI with bearer auth and the batch bodies the routes parse themselves."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_openapi_declares_bearer_keys_and_every_route(client: TestClient) -> None:
    # when
    schema = client.get("/openapi.json").json()
    # then
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `retentio apikey create`, sent as `Authorization: Bearer rk_…`.",
    }
    operations = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert operations >= {
        ("GET", "/v1/health"),
        ("POST", "/v1/events"),
        ("PUT", "/v1/customers/{customer_id}"),
        ("GET", "/v1/customers/{customer_id}"),
        ("POST", "/v1/products"),
        ("PUT", "/v1/products/{sku}"),
        ("GET", "/v1/products/{sku}"),
    }
    assert "security" not in schema["paths"]["/v1/health"]["get"]
    assert schema["paths"]["/v1/events"]["post"]["security"] == [{"ApiKey": []}]


def test_the_events_body_is_documented(client: TestClient) -> None:
    # when
    operation = client.get("/openapi.json").json()["paths"]["/v1/events"]["post"]
    # then
    body = operation["requestBody"]["content"]["application/json"]["schema"]["anyOf"]
    array, wrapped = body
    assert array["maxItems"] == 10_000
    assert array["items"]["required"] == ["event_id", "type", "timestamp"]
    assert wrapped["properties"]["events"] == array
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/IngestResponse"
    }


def test_docs_page_is_served(client: TestClient) -> None:
    # when
    response = client.get("/docs")
    # then
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_docs_page_loads_nothing_from_another_host(client: TestClient) -> None:
    # when
    page = client.get("/docs").text
    # then: every address the page names is on this server
    addresses = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page)
    assert addresses, page
    assert [address for address in addresses if not address.startswith("/")] == []
    assert re.findall(r"(?:https?:)?//[\w.-]+", page) == []
    for address in addresses:
        asset = client.get(address)
        assert asset.status_code == 200, address
        assert asset.content, address
    assert "validatorUrl" in page  # Swagger UI's validator badge would send the schema's address out


def test_redoc_is_not_served_from_a_cdn(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
