"""The claim matcher finds an earlier fact-check however the claim is written."""

from __future__ import annotations

import json
import struct
from collections import Counter

import numpy as np
import pytest

from factcheck.factchecks import encoder, features, text
from factcheck.factchecks.matching import (
    WEIGHTS_PATH,
    Candidate,
    CorpusStats,
    Match,
    Matcher,
    match_fetched,
)
from tests.work import CountingPattern, Work

ARCHIVE = [
    Candidate(
        "gitmo",
        "122 detainees released from confinement at Guantanamo Bay under President Obama "
        "have re-engaged in terrorist activities.",
        "Did 122 Prisoners Released from Guantanamo by President Obama Return to the Battlefield?",
    ),
    Candidate(
        "charlotte",
        "70 per cent of the persons arrested during protests in Charlotte had out-of-state IDs.",
        "70% of Arrested Charlotte Protesters Are Out-of-State Criminals",
    ),
    Candidate(
        "chains",
        "Sen. Joe Biden told an audience that Republican economic policies would "
        '"put y\'all back in chains."',
        "Did Joe Biden Tell an Audience that Republicans Would Put Them Back in Chains?",
    ),
    Candidate(
        "wombats",
        "Wombats are herding animals into their burrows to escape the wildfires in Australia.",
        "Are Wombats Inviting Animals Into Their Burrows to Escape Australia Fires?",
    ),
    Candidate(
        "lottery",
        "A man won the lottery 1.5 million dollars twice in one week in Ohio.",
        "Did an Ohio Man Win the Lottery Twice?",
    ),
    Candidate(
        "obamacare",
        "President Obama said premiums under the Affordable Care Act would fall by 2,500 dollars.",
        "Did Obama Promise Lower Premiums?",
    ),
    Candidate(
        "eclipse",
        "A total solar eclipse will cross North America in August 2017.",
        "Total Eclipse of the Sun",
    ),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.build(iter(ARCHIVE))


def best(matcher: Matcher, query: str) -> str | None:
    found = matcher.match(query, top=1)
    return found[0].id if found else None


# --- numbers written differently --------------------------------------------------


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("one hundred twenty-two detainees", "122 detainees"),
        ("One hundred and twenty two", "122"),
        ("seventy per cent", "70%"),
        ("70 percent", "70%"),
        ("1,500,000 dollars", "1500000 dollars"),
        ("1.5 million dollars", "1500000 dollars"),
        ("two thousand and five", "2005"),
        ("twenty-one", "21"),
    ],
)
def test_numbers_are_written_one_way(written: str, digits: str) -> None:
    assert text.normalise_numbers(written) == digits


@pytest.mark.parametrize(
    "noise", ["one hundred and " * 3000, "9" * 400 + " million", "twenty " * 5000]
)
def test_endless_numbers_stay_words(noise: str) -> None:
    assert text.terms(noise)  # no error, whatever the terms


def test_a_lone_one_stays_a_word() -> None:
    assert text.normalise_numbers("one of them, a hundred times") == "one of them, a hundred times"


def test_numbers_in_words_find_the_fact_check_in_digits(matcher: Matcher) -> None:
    query = "Obama let one hundred twenty-two Guantanamo prisoners go and they went back to terror"
    found = matcher.match(query, top=1)
    assert found[0].id == "gitmo"
    assert found[0].shared_numbers == ("122",)


def test_per_cent_and_percent_sign_match(matcher: Matcher) -> None:
    found = matcher.match("Seventy percent of those arrested in Charlotte were from out of state")
    assert found[0].id == "charlotte"
    assert found[0].shared_numbers == ("70%",)


def test_scaled_numbers_match_their_digits(matcher: Matcher) -> None:
    assert best(matcher, "Ohio man wins $1,500,000 lottery two times in a week") == "lottery"


# --- paraphrase and names -----------------------------------------------------------


def test_other_forms_and_order_of_the_same_words(matcher: Matcher) -> None:
    query = "Terrorists again: the detainee releases from Guantanamo that Obama confined"
    assert best(matcher, query) == "gitmo"


def test_a_surname_alone_finds_the_full_name(matcher: Matcher) -> None:
    assert best(matcher, "Biden says Republicans want to put y'all back in chains") == "chains"


def test_names_and_numbers_tell_apart_claims_about_the_same_person(matcher: Matcher) -> None:
    found = matcher.match("Obama promised premiums would fall by $2500 a year", top=2)
    assert found[0].id == "obamacare"
    assert found[0].shared_numbers == ("2500",)


def test_words_shared_with_a_candidate_are_its_own_words(matcher: Matcher) -> None:
    found = matcher.match("Wombats herd animals to safety from the Australian fires", top=1)
    assert found[0].id == "wombats"
    assert "wombats" in found[0].shared_terms
    assert all(" " not in term for term in found[0].shared_terms)


# --- noisy tweets ---------------------------------------------------------------------


TWEET = (
    "How are animals surviving the #AustraliaFires? Wombats are herding them into their "
    "burrows 🐨🔥 pic.twitter.com/0eJtwJyS1J https://t.co/abc — Center for Bio Div "
    "(@CenterForBioDiv) January 14, 2020"
)


def test_a_tweet_is_read_as_prose() -> None:
    cleaned = text.clean_tweet(TWEET)
    assert "http" not in cleaned and "pic.twitter" not in cleaned
    assert "Australia Fires" in cleaned
    assert "@CenterForBioDiv" not in cleaned and "2020" not in cleaned
    assert "Center for Bio Div" in cleaned  # the author's name is kept


def test_a_noisy_tweet_finds_its_fact_check(matcher: Matcher) -> None:
    assert best(matcher, TWEET) == "wombats"


def test_tweet_date_is_read_from_the_signature() -> None:
    assert text.tweet_date(TWEET) == ("january", "2020")
    assert text.tweet_date("no signature here") is None


def test_the_signature_is_looked_for_at_the_end_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # On a whole text its pattern backtracks over every dash: quadratic.
    work = Work()
    monkeypatch.setattr(text, "_SIGNATURE", CountingPattern(text._SIGNATURE, work))
    hostile = " - a" * 20_000 + TWEET
    assert "Center for Bio Div" in text.clean_tweet(hostile)
    assert text.tweet_date(hostile) == ("january", "2020")
    assert work.characters <= 2 * text.SIGNATURE_TAIL


def test_camel_case_handles_split_into_words() -> None:
    assert text.terms("@JoeBiden #DefundTheCBC") == ["joe", "biden", "defund", "cbc"]


# --- the interface --------------------------------------------------------------------


def test_best_first_and_at_most_top(matcher: Matcher) -> None:
    found = matcher.match("Obama Guantanamo Charlotte Biden lottery eclipse", top=3)
    assert len(found) == 3
    assert all(isinstance(m, Match) for m in found)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


def test_nothing_in_common_finds_nothing(matcher: Matcher) -> None:
    assert matcher.match("zzzz qqqq") == []
    assert matcher.match("") == []
    assert matcher.match("the of and https://t.co/x #") == []


def test_an_empty_archive_matches_nothing() -> None:
    empty = Matcher.build([])
    assert len(empty) == 0
    assert empty.match("Obama released 122 prisoners") == []


def test_len_is_the_number_of_candidates(matcher: Matcher) -> None:
    assert len(matcher) == len(ARCHIVE)


def test_the_same_claim_twice_ranks_the_first_imported_first() -> None:
    twin = Candidate("later", ARCHIVE[0].claim.replace("122", "122"), ARCHIVE[0].title)
    found = Matcher.build([*ARCHIVE, twin]).match("Obama 122 Guantanamo detainees", top=2)
    assert [m.id for m in found] == ["gitmo", "later"]
    assert found[0].score == found[1].score
    found = Matcher.build([twin, *ARCHIVE]).match("Obama 122 Guantanamo detainees", top=2)
    assert [m.id for m in found] == ["later", "gitmo"]


def test_hostile_input_is_only_text() -> None:
    hostile = Candidate("x", "<script>alert(1)</script> " * 1000 + "Obama", "A" * 100_000)
    found = Matcher.build([hostile, *ARCHIVE]).match("<b>Obama</b> " * 500, top=10)
    assert {m.id for m in found} >= {"x", "gitmo"}


def test_a_database_fetch_ranks_as_the_in_memory_matcher() -> None:
    """``match_fetched`` (PostgreSQL finds the rows) orders them as ``Matcher.match``
    without the static stage (the database path is lexical)."""
    matcher = Matcher.build(ARCHIVE, paraphrase=False)
    records = [features.Record.read(c.claim, c.title) for c in ARCHIVE]
    df = Counter(t for r in records for t in set(r.claim + r.title))
    mean = sum(len(r.claim + r.title) for r in records) / len(records)
    stats = CorpusStats(size=len(records), mean_length=mean, df=df)
    fetched = list(zip(ARCHIVE, records, strict=True))
    for query in ("Obama 122 Guantanamo", "70 percent Charlotte", TWEET):
        assert match_fetched(query, fetched, stats) == matcher.match(query)


def test_reranker_weights_fit_the_features() -> None:
    weights = json.loads(WEIGHTS_PATH.read_text())
    assert {"lexical", "static", "semantic"} <= set(weights)
    for stage in weights.values():
        # In the order of NAMES; a stage fitted before a feature was added lacks it.
        assert stage["features"] == [n for n in features.NAMES if n in stage["features"]]
        assert len(stage["coef"]) == len(stage["mean"]) == len(stage["features"])
    assert weights["static"]["features"] == list(features.NAMES)


# --- the encoder's pieces, without the model --------------------------------------------


def test_wordpiece_splits_into_known_pieces() -> None:
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "fact", "##check", "##s", "!", "cafe"]
    tokenizer = encoder.WordPiece(vocab)
    assert tokenizer.encode("Factchecks! Café xyz") == [2, 4, 5, 6, 7, 8, 1, 3]
    assert len(tokenizer.encode("fact " * 500, limit=16)) == 16


def test_safetensors_are_read_as_float32(tmp_path) -> None:
    tensor = np.arange(6, dtype=np.float32).reshape(2, 3)
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}})
    path = tmp_path / "model.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header.encode() + tensor.tobytes())
    np.testing.assert_array_equal(encoder.read_safetensors(path)["w"], tensor)


# --- the optional MiniLM stage, with a stand-in encoder ----------------------------------


class ConceptEncoder:
    """Vectors by concept, so that different words can mean the same thing."""

    CONCEPTS = (("jab", "vaccin"), ("kid", "children", "child"), ("sick", "harm"))

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        rows = [
            [float(any(w in t.lower() for w in words)) for words in self.CONCEPTS] + [0.1]
            for t in texts
        ]
        vectors = np.array(rows, dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_encoder_finds_a_paraphrase_with_no_word_in_common() -> None:
    archive = [*ARCHIVE, Candidate("vax", "Vaccinations harm children.", "Do Vaccines Harm?")]
    query = "The jab makes kids sick"
    assert Matcher.build(archive).match(query) == []
    found = Matcher.build(archive, encoder=ConceptEncoder()).match(query)
    assert found[0].id == "vax"


def test_known_embeddings_are_not_encoded_again() -> None:
    encoder = ConceptEncoder()
    vectors = ConceptEncoder().encode([c.claim for c in ARCHIVE])
    matcher = Matcher.build(ARCHIVE, encoder=encoder, embeddings=vectors)
    assert encoder.calls == 0
    assert matcher.match("Obama 122 Guantanamo detainees")[0].id == "gitmo"
    assert encoder.calls == 1  # the query only
