"""Generated requests: bodies from the API's own OpenAPI schemas, wrong-typed fields and arbitrary JSON.

Every answer must be a documented success or the documented JSON error body with a 4xx status.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from faqbot import create_app
from faqbot.storage import db
from faqbot.web import openapi

OPERATIONS = ["/api/chat", "/api/feedback"]
# Moderate counts keep the module to seconds; database=None leaves no .hypothesis folder in the checkout.
EXAMPLES = settings(max_examples=150, deadline=None, database=None)

# Text with what breaks naive code: lone surrogates, NUL, line breaks, right-to-left marks.
TEXT = st.text(st.characters() | st.sampled_from(["\udfff", "\ud800", "\x00", "\r", "\n", "\u202e"]), max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
# Real ids and questions, so generated bodies also reach answers and recorded votes, not only refusals.
SAMPLES = ["what-is-implant", "two-stage-process", "what is a dental implant", "can I pay with bitcoin", "thank you"]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One app for the module (building one takes a second), keeping unanswered text so that path runs too."""
    folder = tmp_path_factory.mktemp("properties")
    config = {"DATABASE": str(folder / "faqbot.sqlite"), "KEEP_UNANSWERED_TEXT": True}
    return create_app({"TESTING": True, "RATELIMIT_ENABLED": False, **config})


@pytest.fixture(scope="module")
def api(app: Flask) -> FlaskClient:
    """A client shared by every example (the API keeps no cookies)."""
    return app.test_client()


@pytest.fixture(scope="module")
def document(api: FlaskClient) -> dict[str, Any]:
    """The served OpenAPI document, checked to be the one the code builds."""
    served = api.get("/api/openapi.json").get_json()
    assert served == json.loads(json.dumps(openapi.document(api.application.config)))
    return served


def from_schema(schema: dict[str, Any], document: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against the subset of JSON Schema the document uses for requests."""
    if "$ref" in schema:
        return from_schema(document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], document)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    options = []
    if "string" in types:
        low, high = schema.get("minLength", 0), schema.get("maxLength", 600)
        options.append((st.sampled_from(SAMPLES) | TEXT).filter(lambda text: low <= len(text) <= high))
    if "null" in types:
        options.append(st.none())
    if "object" in types:
        required = {name: from_schema(schema["properties"][name], document) for name in schema.get("required", [])}
        optional = {name: from_schema(value, document) for name, value in schema["properties"].items()}
        optional = {name: value for name, value in optional.items() if name not in required}
        options.append(st.fixed_dictionaries(required, optional=optional))
    return st.one_of(options)


def request_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    """The documented request body schema of a POST operation."""
    return document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def check(document: dict[str, Any], path: str, response: Any) -> None:
    """Assert a documented success, or the documented JSON error body with a 4xx status."""
    responses = document["paths"][path]["post"]["responses"]
    status = response.status_code
    assert str(status) in responses and status < 500, (status, response.get_data(as_text=True))
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:faqbot", DRAFT202012.create_resource(document))
    Draft202012Validator({"$ref": "urn:faqbot" + schema["$ref"]}, registry=registry).validate(response.get_json())
    if status >= 400:
        assert response.get_json()["status"] == status


@pytest.mark.parametrize("path", OPERATIONS)
@EXAMPLES
@given(data=st.data())
def test_bodies_from_the_documented_schema(api, document, path, data):
    """A body valid against the documented request schema gets a documented answer."""
    body = data.draw(from_schema(request_schema(document, path), document))
    check(document, path, api.post(path, json=body))


@pytest.mark.parametrize("path", OPERATIONS)
@EXAMPLES
@given(data=st.data(), value=JSON)
def test_documented_fields_of_any_type(api, document, path, data, value):
    """A valid body with one documented field replaced by any JSON value (or left out) gets a documented answer."""
    schema = request_schema(document, path)
    body = data.draw(from_schema(schema, document))
    fields = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]["properties"]
    field = data.draw(st.sampled_from(sorted(fields)))
    if data.draw(st.booleans()):
        body[field] = value
    else:
        body.pop(field, None)
    check(document, path, api.post(path, json=body))


@pytest.mark.parametrize("path", OPERATIONS)
@EXAMPLES
@given(body=JSON)
def test_any_json_body(api, document, path, body):
    """Any JSON value as the body gets a documented answer."""
    check(document, path, api.post(path, json=body))


RAW = st.one_of(
    st.binary(max_size=200),
    st.integers(1, 5000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 2000).map(lambda depth: '{"message": ' + '{"a": ' * depth + "1" + "}" * depth + "}"),
)


@pytest.mark.parametrize("path", OPERATIONS)
@EXAMPLES
@given(body=RAW)
def test_any_bytes_or_nesting_as_json(api, document, path, body):
    """Any bytes, or JSON nested to any depth, sent as application/json get a documented answer."""
    check(document, path, api.post(path, data=body, content_type="application/json"))


def test_no_generated_request_lost_its_statistics(app, api):
    """After all the generated requests above, every row they recorded was written: none dropped."""
    api.post("/api/chat", json={"message": "can I pay with bitcoin \udfff"})
    assert db.writer(app).flush()
    assert db.store_state(app).dropped == 0
