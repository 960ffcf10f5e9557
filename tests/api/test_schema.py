"""The published schema is valid OpenAPI 3 and is exactly what the code generates (regenerate it with
``python manage.py spectacular --file docs/openapi.yaml``)."""

import re

from django.core.management import call_command
from openapi_spec_validator import validate

from tests.api.schema_client import SCHEMA_FILE, load_spec


def test_the_committed_schema_is_what_the_code_generates(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--fail-on-warn")
    assert generated.read_text() == SCHEMA_FILE.read_text(), (
        "docs/openapi.yaml is out of date: run python manage.py spectacular --file docs/openapi.yaml")


def test_the_schema_is_valid_openapi_3():
    spec = load_spec()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert all(path.startswith("/api/v1/") for path in spec["paths"])


def test_the_readme_counts_the_operations_of_the_schema():
    operations = sum(len(item) for item in load_spec()["paths"].values())
    readme = (SCHEMA_FILE.parents[1] / "README.md").read_text()
    assert f"共 {operations} 个操作" in readme


def test_every_operation_documents_every_error_and_takes_one_request_media_type():
    for item in load_spec()["paths"].values():
        for op in item.values():
            assert {"400", "401", "403", "404", "429"} <= set(op["responses"]), op["operationId"]
            assert len(op.get("requestBody", {"content": {None: 0}})["content"]) == 1, op["operationId"]
            for status, response in op["responses"].items():
                assert "content" in response, (op["operationId"], status)


def test_every_operation_needs_a_token_or_a_session():
    spec = load_spec()
    for item in spec["paths"].values():
        for op in item.values():
            assert {"token": []} in op["security"] and {} not in op["security"], op["operationId"]


def test_the_schema_is_served_to_a_logged_in_user_and_docs_need_a_login(client, world):
    assert client.get("/api/v1/schema/").status_code == 401
    assert client.get("/api/docs/").status_code == 302
    client.force_login(world.users["secretary"])
    assert client.get("/api/v1/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and "cdn" not in docs.content.decode().lower()
    scripts = re.findall(r"<script[^>]*>", docs.content.decode())
    assert scripts and all(" src=\"/" in tag for tag in scripts)  # vendored, and no inline script (CSP)
