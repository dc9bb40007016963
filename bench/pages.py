"""The desk's essay page and the reader page of a 300-claim essay: server time, transfer
size and DOM size.

One essay is bulk-loaded in PostgreSQL (``common.load_desk``: the seed essay repeated
until it has ``--claims`` claims; every checkable claim approved with its tasks and
verdict, each verdict citing one source record), then published through the product's
own ``publish``. For each page it measures, in one run, with the variants interleaved
request by request so the machine's load falls on all alike:

* server time, p50/p99 of ``--requests`` requests through Flask's test client (in
  process: rendering and queries, no network), sent plain, with ``Accept-Encoding:
  gzip`` and with ``br`` (so the cost of compressing is in the figure);
* the same over HTTP against gunicorn (one sync worker, as ``factcheck up`` starts it)
  on 127.0.0.1, time to the last byte (``--http-requests``; 0 to skip);
* the body's size sent plain, gzip and brotli;
* DOM elements and page height in Chromium (/usr/bin/chromium through Playwright) at
  1366x900 and 390x844, and the time to the load event (``--no-browser`` to skip).

``--profile`` prints where the in-process time goes (pyinstrument if installed, else
cProfile).

    .venv/bin/python bench/pages.py [--claims 300] [--requests 200] [--http-requests 100]
        [--no-browser] [--profile]
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from common import (
    REDIS_URL,
    SEED,
    MachineLoad,
    flush_redis,
    load_desk,
    machine,
    percentile,
    postgres_database,
    psycopg_url,
    publish_essay,
    table,
    web_service,
)

EDITOR = "bench-editor"
PASSWORD = "bench password, long enough"
ENCODINGS = ("identity", "gzip", "br")
TARGET_MS = 150.0


@dataclass
class Loaded:
    essay_id: int
    claims: int
    checkable: int


def load(url: str, claims: int) -> Loaded:
    """One essay of ``claims`` claims, approved, cited and published."""
    import psycopg

    from factcheck.accounts import services as accounts
    from factcheck.claims import split
    from factcheck.db import Database

    copies = 1
    while len(split("\n\n".join([SEED] * copies))) < claims:
        copies += 1
    load_desk(
        url,
        essays=1,
        open_tasks=0,
        reviewers=2,
        text="\n\n".join([SEED] * copies),
        claims_per_essay=claims,
    )
    with psycopg.connect(psycopg_url(url)) as connection:
        run = connection.execute
        run(
            "INSERT INTO source_records (claim_id, connector, url, title, publisher,"
            " published_at, snippet, score, snapshot_text, snapshot_sha256, fetched_at, details)"
            " SELECT c.id, 'library', 'https://example.org/sources/' || c.id,"
            " 'A source on claim ' || c.id, 'Example Review', DATE '2006-11-01',"
            " left(c.text, 200), 0.5, c.text, md5(c.text) || md5(c.id::text), now(), '{}'"
            " FROM claims c WHERE c.status = 'approved'"
        )
        run(
            "INSERT INTO citations (verdict_id, source_id, quote)"
            " SELECT v.id, s.id, left(c.text, 120) FROM verdicts v"
            " JOIN claims c ON c.id = v.claim_id JOIN source_records s ON s.claim_id = c.id"
        )
        essay_id, editor_id = run(
            "SELECT (SELECT min(id) FROM essays), (SELECT id FROM users WHERE name = %s)",
            (EDITOR,),
        ).fetchone()
        total, checkable = run(
            "SELECT count(*), count(*) FILTER (WHERE checkable) FROM claims"
        ).fetchone()
    database = Database(url)
    with database.scope() as session:
        accounts.set_password(session, accounts.get_user(session, EDITOR), PASSWORD)
    database.engine.dispose()
    publish_essay(url, essay_id, editor_id)
    return Loaded(essay_id, total, checkable)


def pages(essay_id: int) -> dict[str, str]:
    return {
        "desk essay page": f"/desk/essays/{essay_id}",
        "reader page": f"/fact-checks/{essay_id}",
    }


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the sign-in page"
    return match.group(1)


# --- in process ------------------------------------------------------------------------------


def in_process_app(url: str, data_dir: str) -> Any:
    from factcheck.settings import get_settings
    from web import create_app

    os.environ.update(
        FACTCHECK_DATABASE_URL=url,
        FACTCHECK_BROKER_URL=REDIS_URL,
        FACTCHECK_DATA_DIR=data_dir,
        FACTCHECK_CONNECTORS="library",
    )
    get_settings.cache_clear()
    app = create_app(dispatch=lambda *args, **kwargs: None)
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    signed = client.post("/login", data={"name": EDITOR, "password": PASSWORD, "csrf_token": token})
    assert signed.status_code == 302, signed.status_code
    return client


def interleaved(
    variants: dict[tuple[str, str], Callable[[], Any]], repeats: int, warm_up: int = 3
) -> tuple[dict[tuple[str, str], list[float]], dict[tuple[str, str], list[float]]]:
    """Each variant called ``repeats`` times, in turn, after ``warm_up`` untimed rounds:
    the seconds each call took, and the CPU seconds this process spent on it (which a
    busy machine inflates far less than the wall clock; PostgreSQL's own work is not in
    it)."""
    seconds: dict[tuple[str, str], list[float]] = {key: [] for key in variants}
    cpu: dict[tuple[str, str], list[float]] = {key: [] for key in variants}
    for round_ in range(warm_up + repeats):
        for key, call in variants.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            if round_ >= warm_up:
                seconds[key].append(time.perf_counter() - started)
                cpu[key].append(time.process_time() - started_cpu)
    return seconds, cpu


def measure_in_process(client: Any, paths: dict[str, str], repeats: int) -> tuple[dict, dict, dict]:
    sizes: dict[tuple[str, str], int] = {}
    variants = {}
    for name, path in paths.items():
        for encoding in ENCODINGS:
            answer = client.get(path, headers={"Accept-Encoding": encoding})
            assert answer.status_code == 200, (path, answer.status_code)
            assert answer.headers.get("Content-Encoding", "identity") == encoding
            sizes[name, encoding] = len(answer.data)
            variants[name, encoding] = lambda path=path, encoding=encoding: (
                client.get(path, headers={"Accept-Encoding": encoding}).data
            )
    seconds, cpu = interleaved(variants, repeats)
    return seconds, cpu, sizes


def profile(client: Any, paths: dict[str, str], repeats: int = 20) -> None:
    for name, path in paths.items():
        print(f"\n### where the time goes: {name} ({repeats} requests, in process)\n")
        try:
            from pyinstrument import Profiler
        except ImportError:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(repeats):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
            continue
        with Profiler(interval=0.0005) as profiler:
            for _ in range(repeats):
                client.get(path)
        print(profiler.output_text(show_all=False, short_mode=True))


def static_rows(client: Any, paths: dict[str, str]) -> list[list[Any]]:
    page = "".join(client.get(path).text for path in paths.values())
    rows = []
    for url in sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))):
        sizes = {
            encoding: len(client.get(url, headers={"Accept-Encoding": encoding}).data)
            for encoding in ENCODINGS
        }
        cache = client.get(url).headers["Cache-Control"]
        rows.append([url, cache, *(f"{sizes[e]:,}" for e in ENCODINGS)])
    return rows


# --- over HTTP -----------------------------------------------------------------------------------


def measure_http(base_url: str, paths: dict[str, str], repeats: int) -> dict:
    import requests

    session = requests.Session()
    token = csrf_token(session.get(base_url + "/login").text)
    signed = session.post(
        base_url + "/login",
        data={"name": EDITOR, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert signed.status_code == 302, signed.status_code

    def get(path: str, encoding: str) -> None:
        answer = session.get(base_url + path, headers={"Accept-Encoding": encoding})
        assert answer.status_code == 200, (path, answer.status_code)

    variants = {
        (name, encoding): (lambda path=path, encoding=encoding: get(path, encoding))
        for name, path in paths.items()
        for encoding in ENCODINGS
    }
    seconds, _client_cpu = interleaved(variants, repeats)
    return seconds, session.cookies


# --- in Chromium ---------------------------------------------------------------------------------


def measure_browser(base_url: str, paths: dict[str, str], cookies: Any) -> dict:
    from playwright.sync_api import sync_playwright

    found: dict[tuple[str, str], dict[str, float]] = {}
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            for width, height in ((1366, 900), (390, 844)):
                context = browser.new_context(viewport={"width": width, "height": height})
                context.add_cookies(
                    [
                        {"name": c.name, "value": c.value, "url": base_url}
                        for c in cookies
                        if c.value
                    ]
                )
                page = context.new_page()
                for name, path in paths.items():
                    page.goto(base_url + path, wait_until="load")
                    found[name, f"{width}x{height}"] = page.evaluate(
                        """() => ({
                            elements: document.getElementsByTagName('*').length,
                            height: document.documentElement.scrollHeight,
                            width: document.documentElement.scrollWidth,
                            load: performance.getEntriesByType('navigation')[0].duration,
                        })"""
                    )
                context.close()
        finally:
            browser.close()
    return found


# --- the report -------------------------------------------------------------------------------


def time_rows(seconds: dict, sizes: dict | None = None, cpu: dict | None = None) -> list[list[Any]]:
    rows = []
    for (name, encoding), values in seconds.items():
        ms = [1000 * v for v in values]
        row = [name, encoding, percentile(ms, 50), percentile(ms, 99), len(ms)]
        if cpu is not None:
            row.append(percentile([1000 * v for v in cpu[name, encoding]], 50))
        if sizes is not None:
            row.append(f"{sizes[name, encoding]:,}")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--http-requests", type=int, default=100)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()

    print(f"# Pages of a {options.claims}-claim essay\n\n{machine()}\n")
    flush_redis()
    with postgres_database("pages") as url, tempfile.TemporaryDirectory() as data_dir:
        loaded = load(url, options.claims)
        paths = pages(loaded.essay_id)
        print(
            f"essay {loaded.essay_id}: {loaded.claims} claims, {loaded.checkable} checkable"
            " (approved, one citation each), published\n"
        )
        client = in_process_app(url, data_dir)
        with MachineLoad() as load_in_process:
            seconds, cpu, sizes = measure_in_process(client, paths, options.requests)
        print("## Server time in process (Flask test client), and the body sent\n")
        print(
            table(
                ["page", "encoding", "p50 ms", "p99 ms", "requests", "CPU p50 ms", "bytes"],
                time_rows(seconds, sizes, cpu),
            )
        )
        print(f"\n({load_in_process.describe()})")
        for name in paths:
            for what, values in (("p50", seconds), ("CPU p50", cpu)):
                ms = percentile([1000 * v for v in values[name, "identity"]], 50)
                verdict = "meets" if ms < TARGET_MS else "MISSES"
                print(f"{name}: {what} {ms:.0f} ms {verdict} the {TARGET_MS:.0f} ms target")
        print("\n## Static files, as the pages link them\n")
        print(table(["file", "Cache-Control", "plain", "gzip", "br"], static_rows(client, paths)))
        if options.profile:
            profile(client, paths)
        cookies = None
        if options.http_requests or not options.no_browser:
            with web_service(url, web_workers=1) as (base_url, _processes):
                if options.http_requests:
                    with MachineLoad() as load_http:
                        http_seconds, cookies = measure_http(base_url, paths, options.http_requests)
                    print("\n## Over HTTP: gunicorn, one sync worker, time to the last byte\n")
                    print(
                        table(
                            ["page", "encoding", "p50 ms", "p99 ms", "requests"],
                            time_rows(http_seconds),
                        )
                    )
                    print(f"\n({load_http.describe()})")
                if not options.no_browser:
                    if cookies is None:
                        _, cookies = measure_http(base_url, paths, 1)
                    found = measure_browser(base_url, paths, cookies)
                    print("\n## In Chromium (brotli over HTTP, as a browser asks)\n")
                    print(
                        table(
                            [
                                "page",
                                "viewport",
                                "DOM elements",
                                "height px",
                                "width px",
                                "load event ms",
                            ],
                            [
                                [
                                    name,
                                    viewport,
                                    int(v["elements"]),
                                    int(v["height"]),
                                    int(v["width"]),
                                    v["load"],
                                ]
                                for (name, viewport), v in found.items()
                            ],
                        )
                    )


if __name__ == "__main__":
    main()
