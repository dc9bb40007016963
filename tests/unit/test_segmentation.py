"""The rule-based sentence segmenter: tricky cases, the Golden Rules, the demo essay, speed."""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from factcheck.claims import lexicon, segmentation
from factcheck.claims.segmentation import sentences
from tests.adversarial import ADVERSARIAL
from tests.work import growth

ROOT = Path(__file__).resolve().parents[2]
ESSAY = ROOT / "seeds" / "the-next-step-think-vietnam.txt"


def _load_golden_rules() -> ModuleType:
    """bench/golden_rules_en.py holds the Golden Rules; bench/ is not a package."""
    spec = importlib.util.spec_from_file_location(
        "golden_rules_en", ROOT / "bench" / "golden_rules_en.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GOLDEN = _load_golden_rules()
Segmenter = Callable[[str], list[tuple[int, int]]]


def split(text: str) -> list[str]:
    return [text[start:end] for start, end in sentences(text)]


def assert_valid_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """In order, not overlapping, not empty, inside the text, trimmed of white space."""
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text), (start, end)
        assert text[start:end] == text[start:end].strip(), (start, end)
        previous_end = end


def assert_covers_text(text: str, spans: list[tuple[int, int]]) -> None:
    """Every visible character is in some span: nothing is dropped."""
    covered = bytearray(len(text))
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    missing = [i for i, char in enumerate(text) if not char.isspace() and not covered[i]]
    assert not missing, [text[i] for i in missing[:10]]


# --------------------------------------------------------------------------
# Tricky cases, by category: (text, expected sentences).

ABBREVIATIONS = [
    (
        "When U.S. forces tried to stop it, they failed. The U.S. Army left.",
        ["When U.S. forces tried to stop it, they failed.", "The U.S. Army left."],
    ),
    (
        "He moved to the U.S. in 1990. He became a citizen.",
        ["He moved to the U.S. in 1990.", "He became a citizen."],
    ),
    (
        "There were 500 cases in the U.S. The U.S. Commission asked why.",
        ["There were 500 cases in the U.S.", "The U.S. Commission asked why."],
    ),
    (
        "Dr. Smith met Sen. Kerry and Gov. Romney in Sept. 2006. They talked.",
        ["Dr. Smith met Sen. Kerry and Gov. Romney in Sept. 2006.", "They talked."],
    ),
    (
        "The talks began at 9 a.m. and ended at 5 p.m. The deal was signed.",
        ["The talks began at 9 a.m. and ended at 5 p.m.", "The deal was signed."],
    ),
    (
        "They met at 10 a.m. Tuesday to talk. Polls close at 8 p.m. Eastern Time.",
        ["They met at 10 a.m. Tuesday to talk.", "Polls close at 8 p.m. Eastern Time."],
    ),
    (
        "Mr. and Mrs. Smith live on Elm St. near the park.",
        ["Mr. and Mrs. Smith live on Elm St. near the park."],
    ),
    (
        "She works for Acme Corp. It is based in Calif. and Tex. too.",
        ["She works for Acme Corp.", "It is based in Calif. and Tex. too."],
    ),
    (
        "He lives in Washington, D.C. He works at the U.N. in New York.",
        ["He lives in Washington, D.C.", "He works at the U.N. in New York."],
    ),
    (
        "Fruit, e.g. apples, i.e. food, etc. is healthy.",
        ["Fruit, e.g. apples, i.e. food, etc. is healthy."],
    ),
    (
        "He wrote No. 5 and Vol. 2 of the series. They sold well.",
        ["He wrote No. 5 and Vol. 2 of the series.", "They sold well."],
    ),
    (
        "He earned a Ph.D. in physics. Then he taught.",
        ["He earned a Ph.D. in physics.", "Then he taught."],
    ),
    (
        "Sen. Harry Reid (D-Nev.) voted yes. The bill passed.",
        ["Sen. Harry Reid (D-Nev.) voted yes.", "The bill passed."],
    ),
]

INITIALS = [
    (
        "J. R. R. Tolkien wrote The Hobbit. It was published in 1937.",
        ["J. R. R. Tolkien wrote The Hobbit.", "It was published in 1937."],
    ),
    (
        "George W. Bush met Nuri al-Maliki in Jordan. They spoke.",
        ["George W. Bush met Nuri al-Maliki in Jordan.", "They spoke."],
    ),
    ("The author, E. B. White, wrote it.", ["The author, E. B. White, wrote it."]),
    (
        "I went to J.C. Penney. Prof. J. K. Smith was there.",
        ["I went to J.C. Penney.", "Prof. J. K. Smith was there."],
    ),
]

NUMBERS_AND_MONEY = [
    (
        "Growth was 3.5% in 2006. Inflation hit 2.1%.",
        ["Growth was 3.5% in 2006.", "Inflation hit 2.1%."],
    ),
    (
        "The war cost $1.2 billion. Another $3.4 billion was requested.",
        ["The war cost $1.2 billion.", "Another $3.4 billion was requested."],
    ),
    (
        "The index rose 1.2 pct. to 11,000.50. Traders cheered.",
        ["The index rose 1.2 pct. to 11,000.50.", "Traders cheered."],
    ),
    (
        "He was born in 1950. 20 years later he left.",
        ["He was born in 1950.", "20 years later he left."],
    ),
    ("Version 2.0.1 is out. Update now.", ["Version 2.0.1 is out.", "Update now."]),
    (
        "On Jan. 20, 2009, 1.8 million people came. It was cold.",
        ["On Jan. 20, 2009, 1.8 million people came.", "It was cold."],
    ),
]

ELLIPSES = [
    (
        'He called them "terrorists ... targeting innocents." Few agreed.',
        ['He called them "terrorists ... targeting innocents."', "Few agreed."],
    ),
    (
        'She wrote, "We will win . . . whatever it takes." Then she resigned.',
        ['She wrote, "We will win . . . whatever it takes."', "Then she resigned."],
    ),
    ("He said the plan was... well, not ready.", ["He said the plan was... well, not ready."]),
    ("He paused… Then he left.", ["He paused…", "Then he left."]),
    (
        '"We will not … Never," he said. It was over.',
        ['"We will not … Never," he said.', "It was over."],
    ),
]

QUOTATIONS = [
    ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ('He said "stop." and left.', ['He said "stop." and left.']),
    (
        '"We are leaving," he said. "The war is lost."',
        ['"We are leaving," he said.', '"The war is lost."'],
    ),
    ('He asked, "Why now?" Nobody answered.', ['He asked, "Why now?"', "Nobody answered."]),
    ('He asked, "Why now?" and left.', ['He asked, "Why now?" and left.']),
    (
        "She called it ‘a disaster.’ Others agreed.",
        ["She called it ‘a disaster.’", "Others agreed."],
    ),
    ("“It’s over,” he said. “We lost.”", ["“It’s over,” he said.", "“We lost.”"]),
    # A quotation of several sentences stays with its attribution.
    (
        'The man said, "I am going. I will return." She nodded.',
        ['The man said, "I am going. I will return."', "She nodded."],
    ),
    (
        "'Well!' thought Alice, 'I shall think nothing of it! How brave they'll think me!'",
        ["'Well!' thought Alice, 'I shall think nothing of it! How brave they'll think me!'"],
    ),
    # A stray quotation mark does not swallow the rest of the text.
    ('He said "no. Then he left. It rained.', ['He said "no.', "Then he left.", "It rained."]),
]

DASHES = [
    (
        "The war—which began in 2003—continues. It is costly.",
        ["The war—which began in 2003—continues.", "It is costly."],
    ),
    (
        "And that's the point--that partner does not exist. We know it.",
        ["And that's the point--that partner does not exist.", "We know it."],
    ),
    (
        "Iraq is not Vietnam — not yet. But it could be.",
        ["Iraq is not Vietnam — not yet.", "But it could be."],
    ),
    (
        "He had one goal—victory! Nothing else mattered.",
        ["He had one goal—victory!", "Nothing else mattered."],
    ),
    ("He hesitated—“No.”—and left.", ["He hesitated—“No.”—and left."]),
]

LISTS = [
    ("- First item\n- Second item", ["- First item", "- Second item"]),
    ("* Alpha\n+ Beta\n• Gamma", ["* Alpha", "+ Beta", "• Gamma"]),
    ("1. Cut taxes.\n2. Raise spending.", ["1. Cut taxes.", "2. Raise spending."]),
    (
        "Steps:\n1. Plan the attack\n2. Execute it",
        ["Steps:", "1. Plan the attack", "2. Execute it"],
    ),
    (
        "- The first item goes on\n  over two lines.\n- Second.",
        ["- The first item goes on\n  over two lines.", "- Second."],
    ),
    (
        "Poll results:\n\n- 91 percent of Sunnis\n- 74 percent of Shiites",
        ["Poll results:", "- 91 percent of Sunnis", "- 74 percent of Shiites"],
    ),
    (
        "a) here it is b) another c) one more",
        ["a) here it is", "b) another", "c) one more"],
    ),
    (
        "(i) Hello world.\n(ii) Hello world.\n(iii) Hello world.",
        ["(i) Hello world.", "(ii) Hello world.", "(iii) Hello world."],
    ),
    (
        "(a) Hello world. (b) Hello world.\n(c) Hello world.",
        ["(a) Hello world.", "(b) Hello world.", "(c) Hello world."],
    ),
    # An enumeration inside a sentence is not a list of sentences.
    (
        "Three reasons: 1) cost, 2) time, and 3) risk.",
        ["Three reasons: 1) cost, 2) time, and 3) risk."],
    ),
    (
        "As payment for 1. above, pay us a fee and for 2. above, no fee will be paid.",
        ["As payment for 1. above, pay us a fee and for 2. above, no fee will be paid."],
    ),
]

HEADINGS_AND_PARAGRAPHS = [
    ("# The Next Step\nIraq is in a civil war.", ["# The Next Step", "Iraq is in a civil war."]),
    (
        "## Results\n\nGrowth was 3.5%.\n\nDebt fell",
        ["## Results", "Growth was 3.5%.", "Debt fell"],
    ),
    ("Introduction\nThe war began in 2003.", ["Introduction", "The war began in 2003."]),
    ("WASHINGTON\nThe president spoke.", ["WASHINGTON", "The president spoke."]),
    (
        "First paragraph without a period\n\nSecond paragraph.",
        ["First paragraph without a period", "Second paragraph."],
    ),
    ("Title\n=====\nBody. More.", ["Title", "Body.", "More."]),
    # A single line break inside a paragraph is a soft wrap, not a boundary.
    (
        "A heading line\nwith lowercase continuation.",
        ["A heading line\nwith lowercase continuation."],
    ),
    (
        "When President Bush meets with Prime\nMinister Nuri al-Maliki, he should act.",
        ["When President Bush meets with Prime\nMinister Nuri al-Maliki, he should act."],
    ),
    ("Hello World. \r\n Hello.", ["Hello World.", "Hello."]),
    ("This is a test.\nThis is another.", ["This is a test.", "This is another."]),
]

MARKDOWN = [
    ("**Bold claim.** Another sentence.", ["**Bold claim.**", "Another sentence."]),
    (
        "See [the report](https://example.com/r.pdf). It says so.",
        ["See [the report](https://example.com/r.pdf).", "It says so."],
    ),
    ("> A quoted line. Another.", ["> A quoted line.", "Another."]),
    ("| a | b |\n| c | d |", ["| a | b |", "| c | d |"]),
    ("Text.\n\n---\n\nMore text.", ["Text.", "More text."]),
]

OTHER = [
    ("Is it over? No! It is not.", ["Is it over?", "No!", "It is not."]),
    ("What?! Really?! Yes.", ["What?!", "Really?!", "Yes."]),
    ("Visit www.example.com. It's great.", ["Visit www.example.com.", "It's great."]),
    ("Email john@example.com. I reply fast.", ["Email john@example.com.", "I reply fast."]),
    (
        "That's all. (APPLAUSE) Thank you. (CROSSTALK) (LAUGHTER) Go ahead.",
        ["That's all.", "(APPLAUSE)", "Thank you.", "(CROSSTALK)", "(LAUGHTER)", "Go ahead."],
    ),
    (
        "He was a saint and martyr.[1] The emperor published a decree.",
        ["He was a saint and martyr.[1]", "The emperor published a decree."],
    ),
    ("これはペンです。それはマーカーです。", ["これはペンです。", "それはマーカーです。"]),
    ("", []),
    (" \n\t ", []),
    ("No final punctuation", ["No final punctuation"]),
]

CATEGORIES = {
    "abbreviations": ABBREVIATIONS,
    "initials": INITIALS,
    "numbers": NUMBERS_AND_MONEY,
    "ellipses": ELLIPSES,
    "quotations": QUOTATIONS,
    "dashes": DASHES,
    "lists": LISTS,
    "headings": HEADINGS_AND_PARAGRAPHS,
    "markdown": MARKDOWN,
    "other": OTHER,
}
TRICKY = [
    pytest.param(text, expected, id=f"{name}-{i}")
    for name, cases in CATEGORIES.items()
    for i, (text, expected) in enumerate(cases)
]


@pytest.mark.parametrize(("text", "expected"), TRICKY)
def test_tricky_cases(text: str, expected: list[str]) -> None:
    spans = sentences(text)
    assert_valid_spans(text, spans)
    assert [text[start:end] for start, end in spans] == expected


# --------------------------------------------------------------------------
# The English Golden Rules.

ALL_RULES = GOLDEN.GOLDEN_RULES + GOLDEN.EXTRA_RULES


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=f"rule-{number}") for number, text, expected in ALL_RULES],
)
def test_golden_rule(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def _accuracy(segment: Segmenter, cases: list[tuple[int, str, list[str]]]) -> float:
    right = sum(
        [text[start:end] for start, end in segment(text)] == expected for _, text, expected in cases
    )
    return right / len(cases)


def _pysbd_spans() -> Segmenter | None:
    """pySBD (the bench extra) as a span segmenter, or None when it is not installed."""
    try:
        import pysbd
    except ImportError:
        return None
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def segment(text: str) -> list[tuple[int, int]]:
        spans = []
        for span in segmenter.segment(text):
            stripped = span.sent.strip()
            if stripped:
                start = span.start + span.sent.index(stripped)
                spans.append((start, start + len(stripped)))
        return spans

    return segment


def test_golden_rule_accuracy_is_at_least_pysbds() -> None:
    ours = _accuracy(sentences, GOLDEN.GOLDEN_RULES)
    pysbd = _pysbd_spans()
    floor = 0.95 if pysbd is None else _accuracy(pysbd, GOLDEN.GOLDEN_RULES)
    assert ours >= floor


# --------------------------------------------------------------------------
# The demo essay.


@pytest.fixture(scope="module")
def essay() -> str:
    return ESSAY.read_text(encoding="utf-8")


def test_essay_spans_are_valid_and_cover_the_text(essay: str) -> None:
    spans = sentences(essay)
    assert_valid_spans(essay, spans)
    assert_covers_text(essay, spans)
    assert len(spans) > 40


@pytest.mark.parametrize(
    "sentence",
    [
        "Badr's Bayan Jabr built the death squads when he ran the ministry; he's now Iraq's"
        " Finance minister, in charge of its resources.",
        'To speak, as the White House deputy press secretary did last week, of "terrorists ...'
        ' targeting innocents in a brazen effort to topple a democratically elected government"'
        " totally misses the reality of Iraq today.",
        "When U.S. forces tried to stop the carnage and restore order, goons from Sadr's Mahdi"
        " Army began firing on American helicopters.",
        "In other words, one day the U.S. Army was defending Sadr's militia and, the next day,"
        " was attacked by it.",
        "Will more troops change that?",
        "Iraq is not Vietnam.",
    ],
)
def test_essay_sentence_is_one_span(essay: str, sentence: str) -> None:
    start = essay.index(sentence)
    assert (start, start + len(sentence)) in sentences(essay)


def test_essay_title_line_is_its_own_sentences(essay: str) -> None:
    title_end = essay.index("\n")
    title = [essay[start:end] for start, end in sentences(essay) if start < title_end]
    assert title == ["The Next Step?", "Think Vietnam."]
    assert all(end <= title_end for start, end in sentences(essay) if start < title_end)


def test_sentences_is_reexported() -> None:
    from factcheck.claims import sentences as exported

    assert exported is sentences


# --------------------------------------------------------------------------
# Robustness: any input gives valid spans, fast.

SIZE = 200_000


@pytest.mark.parametrize("make", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_input_gives_valid_spans_in_linear_time(make) -> None:
    text = make(SIZE)
    assert_valid_spans(text, sentences(text))
    # Ten times the input must cost about ten times the work, not a hundred
    # (backtracking, rescanning). Counted, not timed: bench/growth.py times it.
    ratio = growth([segmentation, lexicon], sentences, make, SIZE // 100)
    assert ratio <= 12, f"10x the input took {ratio:.1f}x the work"


_TO_THE_END = re.compile(r"\Z")


def _rescan(text: str) -> None:
    """Quadratic on purpose: from every position, look at the rest of the text."""
    for pos in range(len(text)):
        _TO_THE_END.search(text, pos)


def test_counting_work_tells_quadratic_from_linear() -> None:
    this_module = sys.modules[__name__]
    assert growth([this_module], _rescan, lambda n: "a" * n, 200) > 50
    assert growth([segmentation, lexicon], sentences, lambda n: "a. " * (n // 3), 200) <= 12


_PIECES = [
    "word", "Dr.", "U.S.", "a.m.", "J.", "3.5%", "$1.2", "...", ". . .", "…", "!", "?", "?!",
    '"', "'", "“", "”", "‘", "’", "(", ")", "[", "]", "—", "--", "1.", "2)", "(a)", "•", "-",
    "#", "*", "|", "e.g.", "I", "The", "said", "x10.", "[1]", "。", "\t", "  ",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(20))
def test_random_text_gives_valid_spans(seed: int) -> None:
    rng = random.Random(seed)
    lines = [" ".join(rng.choices(_PIECES, k=rng.randint(0, 40))) for _ in range(20)]
    text = "\n".join(lines)
    assert_valid_spans(text, sentences(text))
    # A single line of prose (not a rule line) loses no characters.
    line = "x " + " ".join(rng.choices(_PIECES, k=200))
    assert_covers_text(line, sentences(line))
