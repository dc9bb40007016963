"""Declare each API operation once: its route, roles, body and responses.

The decorator does what every operation needs (a database session committed on
success, bearer-token authentication, role checks, body validation) and records
the operation, so the OpenAPI description is built from the same declarations
the code runs on and cannot drift from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, json, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.accounts.services import user_for_token
from factcheck.db import MAX_INT, Database
from factcheck.publishing import services as publishing
from factcheck.settings import Settings
from web.problems import ProblemError

PUBLIC = None  # no token needed
BodyModel = TypeVar("BodyModel", bound=BaseModel)
_PATH_PARAM = re.compile(r"{(\w+)}")
# Ids are positive and fit their column; the route's converter answers 404 beyond.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_INT}


@dataclass
class Context:
    session: Session
    user: User | None
    settings: Settings

    @property
    def actor(self) -> User:
        assert self.user is not None, "operation declared without roles"
        return self.user


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    roles: tuple[str, ...] | None
    body: type[BaseModel] | None
    responses: dict[int, Any]
    tags: list[str] = field(default_factory=list)
    body_optional: bool = False  # an empty body means the model's defaults
    query: type[BaseModel] | None = None  # the query string's parameters


class Api:
    def __init__(self, blueprint: Blueprint, prefix: str) -> None:
        self.blueprint = blueprint
        self.prefix = prefix
        self.operations: list[Operation] = []

    def operation(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        roles: tuple[str, ...] | None,
        body: type[BaseModel] | None = None,
        body_optional: bool = False,
        query: type[BaseModel] | None = None,
        responses: dict[int, Any],
        tag: str,
        lease: bool = False,
    ) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        """Register a view ``view(ctx, [body,] [query,] **path_params) -> Response``.

        ``roles``: PUBLIC, or the roles of which the user must hold one (admins
        hold all). ``lease``: the view only changes a review task's lease, and runs
        in ``Database.lease_scope``.
        """
        operation = Operation(
            method, path, summary, roles, body, responses, [tag], body_optional, query
        )
        self.operations.append(operation)

        def decorator(view: Callable[..., Response]) -> Callable[..., Response]:
            def endpoint(**params: int) -> Response:
                scope = _scope(method, lease)
                with scope() as session:
                    args: list[Any] = [Context(session, authenticate(session, roles), settings())]
                    if body:
                        args.append(parse_body(body, body_optional))
                    if query:
                        args.append(parse_query(query))
                    return view(*args, **params)

            self.blueprint.add_url_rule(
                _PATH_PARAM.sub(r"<id:\1>", path),
                endpoint=view.__name__,
                view_func=endpoint,
                methods=[method],
            )
            return view

        return decorator


def _scope(method: str, lease: bool) -> Callable[[], AbstractContextManager[Session]]:
    if lease:
        return database().lease_scope
    return database().read_scope if method == "GET" else database().scope


def masthead() -> publishing.Masthead:
    """Who publishes, from the settings, for every version the web publishes."""
    return publishing.Masthead(
        name=settings().org_name,
        url=settings().resolved_org_url(),
        methodology=settings().methodology,
        reviewer_names=settings().public_reviewer_names,
    )


def database() -> Database:
    return current_app.extensions["factcheck.database"]


def settings() -> Settings:
    return current_app.extensions["factcheck.settings"]


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` under FACTCHECK_BASE_URL. Every absolute link the
    service writes comes from here: a request's Host header is the client's to choose, so
    a link built from it would send readers wherever the client liked."""
    base = urlsplit(settings().base_url)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def authenticate(session: Session, roles: tuple[str, ...] | None) -> User | None:
    if roles is None:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(session, token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ProblemError(
            401,
            "Unauthorized",
            "send a valid API token: Authorization: Bearer TOKEN",
            {"WWW-Authenticate": 'Bearer realm="factcheck"'},
        )
    if roles and not user.has_role(*roles):
        raise ProblemError(403, "Forbidden", f"this needs the role {' or '.join(roles)}")
    return user


def parse_body(model: type[BodyModel], optional: bool = False) -> BodyModel:
    if optional and not request.get_data():
        return model()
    if not request.is_json:
        raise ProblemError(415, "Unsupported media type", "send the body as application/json")
    try:
        # Strict: JSON's own types only. A date or time is an ISO 8601 string (0 is not
        # 1970-01-01), an integer is not "1" nor 1.0, a boolean is not "yes".
        return model.model_validate_json(request.get_data(), strict=True)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            raise ProblemError(400, "Malformed JSON", "the body is not valid JSON") from None
        raise _validation_failed(error, "the body does not match the schema") from None


def parse_query(model: type[BodyModel]) -> BodyModel:
    """The query string's parameters (each given once), checked against ``model``."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise _validation_failed(error, "the query parameters are not valid") from None


def _validation_failed(error: ValidationError, detail: str) -> ProblemError:
    return ProblemError(
        422,
        "Validation failed",
        detail,
        errors=[
            {"loc": [str(part) for part in e["loc"]], "msg": e["msg"], "type": e["type"]}
            for e in error.errors(include_url=False, include_input=False)
        ],
    )


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(_plain(data)), status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _plain(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return data


# --- OpenAPI -------------------------------------------------------------------

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {  # validation failures: one per wrong field
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    # Conflicts add what the caller needs: current_version, unfinished, overlapping...
    "additionalProperties": True,
}
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}}
UNAVAILABLE_HEADERS = {"Retry-After": {"schema": {"type": "string"}}}  # when the database is down
# Bodies are read as the client sends them; answers are described as they are written
# (fields with defaults always present), so each model is described in its direction.
Direction = Literal["validation", "serialization"]


API_DESCRIPTION = (
    "Every absolute URL in a response starts with the service's configured base URL "
    "(FACTCHECK_BASE_URL), whatever Host the request names. A request whose Host is not "
    "one of FACTCHECK_TRUSTED_HOSTS is answered 400 with problem details titled "
    '"Unknown host", before any operation runs.'
)


def openapi_document(api: Api, title: str, version: str) -> dict[str, Any]:
    refs, definitions = models_json_schema(
        _models(api.operations), ref_template="#/components/schemas/{model}"
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in api.operations:
        paths.setdefault(api.prefix + op.path, {})[op.method.lower()] = _describe(op, refs)
    schemas = dict(definitions.get("$defs", {}))
    schemas["Problem"] = PROBLEM_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": API_DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _models(operations: list[Operation]) -> list[tuple[type[BaseModel], Direction]]:
    found: list[tuple[type[BaseModel], Direction]] = []
    for op in operations:
        if op.body is not None:
            found.append((op.body, "validation"))
        for schema in op.responses.values():
            model = _item_model(schema)
            if model is not None:
                found.append((model, "serialization"))
    return list(dict.fromkeys(found))  # each once, in order


def _item_model(response: Any) -> type[BaseModel] | None:
    if isinstance(response, list):
        return response[0]
    return response if isinstance(response, type) and issubclass(response, BaseModel) else None


def _describe(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    described: dict[str, Any] = {
        "summary": op.summary,
        "operationId": _operation_id(op),
        "tags": op.tags,
        "responses": {
            str(status): _response(schema, refs) for status, schema in op.responses.items()
        },
    }
    params = _PATH_PARAM.findall(op.path)
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": ID_SCHEMA} for name in params
    ]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    if parameters:
        described["parameters"] = parameters
    if op.body is not None:
        described["requestBody"] = {
            "required": not op.body_optional,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    # The answers the decorator and the error handlers give, whatever the view does.
    responses = described["responses"]
    if op.roles is not None:
        described["security"] = [{"bearer": []}]
        responses.setdefault(
            "401", _problem_response("Missing or invalid token", UNAUTHORIZED_HEADERS)
        )
        if op.roles:
            responses.setdefault("403", _problem_response("Wrong role"))
    if params:
        responses.setdefault("404", _problem_response("No such id"))
    if op.query is not None:
        responses.setdefault("422", _problem_response("Validation failed"))
    if op.body is not None:
        responses.setdefault("400", _problem_response("Malformed JSON"))
        responses.setdefault("413", _problem_response("Body over the size limit"))
        responses.setdefault("415", _problem_response("Body not sent as application/json"))
        responses.setdefault("422", _problem_response("Validation failed"))
    if op.roles is not None or params:  # it reads the database: tokens, rows
        responses.setdefault(
            "503", _problem_response("The database is unreachable", UNAVAILABLE_HEADERS)
        )
    return described


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """One query parameter per field; an optional one is simply left out (a query
    string has no null)."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})
    parameters = []
    for name, field_schema in schema["properties"].items():
        branches = [
            _inlined(b, definitions)
            for b in field_schema.get("anyOf", [])
            if b.get("type") != "null"
        ]
        value = {
            k: v for k, v in field_schema.items() if k not in ("anyOf", "title", "description")
        }
        if branches:
            value = {**branches[0], **{k: v for k, v in value.items() if k != "default"}}
            if field_schema.get("default") is not None:
                value["default"] = field_schema["default"]
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in schema.get("required", []),
                "description": field_schema.get("description", ""),
                "schema": value,
            }
        )
    return parameters


def _inlined(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """A parameter's own schema in place of a reference (e.g. to a status enum)."""
    if "$ref" not in schema:
        return schema
    return {k: v for k, v in definitions[schema["$ref"].rsplit("/", 1)[1]].items() if k != "title"}


def _operation_id(op: Operation) -> str:
    words = re.findall(r"\w+", _PATH_PARAM.sub(r"by_\1", op.path))
    return "_".join([op.method.lower(), *words])


def _response(schema: Any, refs: dict[Any, Any]) -> dict[str, Any]:
    if schema is None:
        return {"description": "No content"}
    if schema == "problem":
        return _problem_response("Problem")
    if isinstance(schema, str):  # a media type: the body is text in that format
        return {"description": "OK", "content": {schema: {"schema": {"type": "string"}}}}
    model = _item_model(schema)
    assert model is not None, schema
    body = refs[(model, "serialization")]
    if isinstance(schema, list):
        body = {"type": "array", "items": body}
    return {"description": "OK", "content": {"application/json": {"schema": body}}}


def _problem_response(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if headers:
        response["headers"] = headers
    return response
