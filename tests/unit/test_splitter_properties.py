"""The splitter and the claim extractor on any text Hypothesis can think of."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.claims import sentences, split

# Plenty of what breaks splitters: punctuation, quotes, digits, white space of
# every kind, right-to-left and combining characters, surrogate-free Unicode.
TRICKY = st.sampled_from(list(".!?…;:,\"'“”‘’()[]-—–\n\r\t \u00a0\u2028\u200f\u0301$%0123456789"))
TEXT = st.lists(st.one_of(TRICKY, st.characters(blacklist_categories=("Cs",))), max_size=400).map(
    "".join
)
WORDS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "Dr.",
                "U.S.",
                "3.5%",
                "$1.2",
                "a.m.",
                "e.g.",
                '"Stop!"',
                "...",
                "שלום.",
                "مرحبا؟",
                "Ω.",
                "J.",
                "—",
                "\n\n",
                "# H",
            ]
        ),
        st.text(min_size=1, max_size=8),
    ),
    max_size=80,
).map(" ".join)


def check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT, WORDS))
def test_any_text_gives_ordered_exact_trimmed_spans(text: str) -> None:
    check_spans(text, sentences(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT, WORDS))
def test_any_text_gives_claims_that_point_into_it(text: str) -> None:
    claims = split(text)
    check_spans(text, [(claim.start, claim.end) for claim in claims])
    for claim in claims:
        assert claim.text and claim.text == claim.text.strip()  # the claim's wording
        assert 0.0 <= claim.checkworthiness <= 1.0


def test_a_hundred_thousand_character_sentence_is_one_claim() -> None:
    text = "The committee said " + "very " * 20_000 + "much."
    claims = split(text)
    assert len(claims) == 1 and claims[0].text == text == text[claims[0].start : claims[0].end]
