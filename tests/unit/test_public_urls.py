"""Every absolute link the service writes starts with FACTCHECK_BASE_URL, whatever Host a
client sends; and the web answers only the hosts it trusts (issue 16, finding 6)."""

from __future__ import annotations

import re

import pytest

from factcheck.publishing import services as publishing
from factcheck.settings import Settings
from tests.unit.test_publishing import desk  # noqa: F401  (a fixture: a published essay)

BASE = "https://facts.example.org/desk"  # a path too: links keep it, as a proxy mounts us
ATTACKER = "attacker.test"
ABSOLUTE = re.compile(r"https?://[^\s\"'<>)]+")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"base_url": BASE, "trusted_hosts": "*"})


def test_every_absolute_link_comes_from_the_base_url_not_the_host_header(desk, database):  # noqa: F811
    client, essay_id = desk["client"], desk["essay_id"]
    with database.read_scope() as session:
        publication_id = publishing.latest_publication(session, essay_id).id
    claim_id = desk["checkable"][0]["id"]
    paths = [
        f"/fact-checks/{essay_id}",
        f"/fact-checks/{essay_id}/versions/1",
        f"/fact-checks/{essay_id}/claims/{claim_id}",
        f"/fact-checks/{essay_id}.md",
        f"/fact-checks/{essay_id}.jsonld",
        f"/fact-checks/{essay_id}.json",
        "/fact-checks/feed.atom",
        f"/api/v1/publications/{publication_id}",
    ]
    for path in paths:
        answer = client.get(path, headers={"Host": ATTACKER})
        assert answer.status_code == 200, path
        _only_ours(answer.get_data(as_text=True), path)
    withdrawn = client.post(
        f"/api/v1/essays/{essay_id}/withdraw",
        json={"note": "Withdrawn."},
        headers={"Host": ATTACKER, "Authorization": f"Bearer {desk['tokens']['editor']}"},
    )
    assert withdrawn.status_code == 201
    assert withdrawn.json["url"] == f"{BASE}/fact-checks/{essay_id}"


def _only_ours(body: str, path: str) -> None:
    assert ATTACKER not in body, path
    ours = [link for link in ABSOLUTE.findall(body) if link.startswith(BASE + "/")]
    assert ours, f"{path} has no link of ours"


def test_the_claim_page_is_the_canonical_address_of_its_review(desk):  # noqa: F811
    client, essay_id = desk["client"], desk["essay_id"]
    claim_id = desk["checkable"][0]["id"]
    permalink = f"{BASE}/fact-checks/{essay_id}/claims/{claim_id}"
    page = client.get(f"/fact-checks/{essay_id}/claims/{claim_id}").text
    assert f'<link rel="canonical" href="{permalink}">' in page
    reader = client.get(f"/fact-checks/{essay_id}").text
    assert f'<link rel="canonical" href="{BASE}/fact-checks/{essay_id}">' in reader
    assert f'"url": "{permalink}"' in reader  # its ClaimReview names the claim's page
    assert f'href="/desk/fact-checks/{essay_id}/claims/{claim_id}"' not in reader
    assert f'class="permalink" href="/fact-checks/{essay_id}/claims/{claim_id}"' in reader


def test_the_claimreview_author_is_the_base_url_unless_set():
    assert Settings(base_url=BASE).resolved_org_url() == BASE
    assert Settings(base_url=BASE, org_url="https://org.example").resolved_org_url() == (
        "https://org.example"
    )


@pytest.mark.parametrize(
    ("trusted", "host", "status"),
    [
        ("", "facts.example.org", 200),  # the base URL's host
        ("", "localhost:8000", 200),  # loopback: probes and `factcheck up`
        ("", "127.0.0.1", 200),
        ("", ATTACKER, 400),
        ("", "facts.example.org.attacker.test", 400),
        ("desk.example.org, .example.net", "www.example.net", 200),
        ("desk.example.org, .example.net", "facts.example.org", 400),
    ],
)
def test_only_trusted_hosts_are_answered(settings, database, queue, trusted, host, status):
    from web import create_app

    chosen = settings.model_copy(update={"trusted_hosts": trusted})
    client = create_app(chosen, dispatch=queue.dispatch).test_client()
    answer = client.get("/fact-checks/feed.atom", headers={"Host": host})
    assert answer.status_code == status
    if status == 400:
        assert answer.mimetype == "application/problem+json"
        assert answer.json["title"] == "Unknown host"
