import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_it_serves_the_schema_with_the_three_operations(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    operations = {
        (path, method): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert operations == {
        ("/api/leads/", "get"): "leads_list",
        ("/api/leads/", "post"): "leads_create",
        ("/api/leads/{id}/", "get"): "leads_retrieve",
    }
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    message = schema["components"]["schemas"]["Message"]["properties"]
    assert "from" in message
    assert "raw" not in message
    list_params = {p["name"] for p in schema["paths"]["/api/leads/"]["get"]["parameters"]}
    assert list_params == {
        "status",
        "channel",
        "email",
        "received_after",
        "received_before",
        "cursor",
        "page_size",
    }


def test_it_validates_against_the_openapi_spec():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)  # raises on an invalid document


def test_it_generates_without_warnings(tmp_path):
    # --fail-on-warn turns any spectacular warning (an unannotated field, an
    # unresolvable type) into an error.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    assert "/api/leads/{id}/" in (tmp_path / "schema.yml").read_text()
