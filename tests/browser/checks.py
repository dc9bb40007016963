"""Page checks for browser tests: axe-core's rules, and no sideways scrolling.

axe-core comes from npm, pinned by package.json and package-lock.json at the
repository's root (`npm ci` installs it into node_modules/, as .ci/run does).
"""

from __future__ import annotations

from tests.conftest import ROOT, need_service

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# The serious part of each violation: which rule, where, and what to fix.
AXE_RUN = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""

# What sticks out past the viewport's right edge: the outermost such elements.
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter(
    e => e.getBoundingClientRect().right > width + 0.5);
  return {
    width, scrollWidth: document.documentElement.scrollWidth,
    culprits: wide.filter(e => !wide.includes(e.parentElement)).slice(0, 8).map(
      e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ?
        "." + String(e.className).trim().replace(/\\s+/g, ".") : ""}` +
        ` (right edge ${Math.round(e.getBoundingClientRect().right)})`),
  };
}"""


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now. The page's context needs
    ``bypass_csp=True``: the script goes in inline, which the desk's policy refuses."""
    if not AXE.exists():
        need_service("axe-core", f"{AXE} is missing (run `npm ci` at the repository's root)")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} <{v['url']}>\n"
        + "\n".join(f"    at {n['target']}: {_one_line(n['summary'])}" for n in v["nodes"])
        for v in violations
    )


def _one_line(summary: str) -> str:
    """axe's "Fix any of the following:" and its list of reasons, on one line."""
    head, *reasons = [line.strip() for line in summary.splitlines()]
    return f"{head} {'; '.join(reasons)}"


def assert_no_sideways_scroll(page) -> None:
    """The document is no wider than the viewport, so no one scrolls sideways to read."""
    found = page.evaluate(SIDEWAYS)
    assert found["scrollWidth"] <= found["width"], (
        f"{page.url} scrolls sideways: {found['scrollWidth']} px wide in a "
        f"{found['width']} px viewport; sticking out: {', '.join(found['culprits'])}"
    )
