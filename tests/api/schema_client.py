"""A client that knows the API only from the published schema (docs/openapi.yaml).

Operations are called by their operationId; the path, the method and the allowed parameters come from the
schema, and every JSON answer is validated against the schema of its status code.
"""

import re
from pathlib import Path

import yaml
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def load_spec():
    return yaml.safe_load(SCHEMA_FILE.read_text())


class SchemaClient:
    def __init__(self, django_client, token, spec=None):
        self.http = django_client
        self.spec = spec or load_spec()
        self.headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
        self.operations = {op["operationId"]: (path, method, op)
                           for path, item in self.spec["paths"].items() for method, op in item.items()}
        self.registry = Registry().with_resource("urn:spec", Resource.from_contents(
            self.spec, default_specification=DRAFT4))

    def call(self, operation_id, *, path=None, query=None, body=None, files=None, headers=None, expect=None):
        """Send the operation; ``body`` is JSON, ``files`` multipart (with ``body`` as its plain fields)."""
        template, method, op = self.operations[operation_id]
        url = re.sub(r"{(\w+)}", lambda m: str((path or {})[m.group(1)]), template)
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        unknown = set(query or {}) - declared
        assert not unknown, f"{operation_id} does not declare {unknown}"
        extra = {**self.headers, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}}
        for name in headers or {}:
            assert any(p["in"] == "header" and p["name"] == name for p in op.get("parameters", [])), name
        if method == "get":
            response = self.http.get(url, query or {}, **extra)
        elif files is not None:
            assert "multipart/form-data" in op["requestBody"]["content"], f"{operation_id} takes no files"
            response = getattr(self.http, method)(url, {**(body or {}), **files}, **extra)
        else:
            response = getattr(self.http, method)(url, body or {}, content_type="application/json", **extra)
        if expect is not None:
            assert response.status_code == expect, (operation_id, response.status_code, response.content[:500])
        self._check(op, response, operation_id)
        return response

    def _check(self, op, response, operation_id):
        documented = op["responses"].get(str(response.status_code))
        assert documented is not None, f"{operation_id} answered an undocumented {response.status_code}"
        content = documented.get("content", {})
        if response.get("Content-Type", "").startswith("application/json") and "application/json" in content:
            schema = content["application/json"]["schema"]
            schema = {"$ref": "urn:spec" + schema["$ref"]} if "$ref" in schema else _absolute(schema)
            OAS30Validator(schema, registry=self.registry).validate(response.json())


def _absolute(schema):
    """Inline schemas refer to components as '#/…': make those point into the registered document."""
    if isinstance(schema, dict):
        return {k: ("urn:spec" + v if k == "$ref" else _absolute(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_absolute(v) for v in schema]
    return schema
