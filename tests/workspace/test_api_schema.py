import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from tests.helpers import make_user
from tests.workspace.people import make_manager, make_rep

pytestmark = pytest.mark.django_db


def test_it_serves_the_schema_with_the_three_operations(client):
    client.force_login(make_user("root", staff=True))
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


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_it_serves_the_schema_and_docs_to_staff_only(client, path):
    anonymous = client.get(path)
    signed_in = []
    for user in (make_rep(), make_manager(), make_user("nobody")):
        browser = Client()
        browser.force_login(user)
        signed_in.append(browser.get(path))
    staff_token = Token.objects.create(user=make_user("root", staff=True))
    by_token = Client(headers={"authorization": f"Token {staff_token.key}"}).get(path)
    staff = Client()
    staff.force_login(staff_token.user)

    assert anonymous.status_code == 403
    assert [response.status_code for response in signed_in] == [403, 403, 403]
    assert by_token.status_code == 403  # the docs are for staff in a browser, not tokens
    assert staff.get(path).status_code == 200
