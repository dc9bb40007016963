"""The claim matcher finds an earlier fact-check however the claim is written."""

from __future__ import annotations

import json
import struct
from collections import Counter

import numpy as np
import pytest

from factcheck.factchecks import (
    encoder,
    evaluation,
    features,
    lexical,
    matching,
    static,
    text,
    training,
)
from factcheck.factchecks.lexical import Bm25Index
from factcheck.factchecks.matching import (
    KEEP,
    POOL,
    STRONG,
    WEIGHTS_PATH,
    Candidate,
    Match,
    Matcher,
    Reranker,
    kept,
    lexical_part,
    strong,
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


def crowded_archive(size: int = 120, seed: int = 7) -> list[Candidate]:
    """Records sharing words at random, so that a query scores more than ``POOL`` of
    them and the static stage adds neighbours BM25 missed."""
    words = ARCHIVE_WORDS.split()
    rng = np.random.default_rng(seed)
    return [
        Candidate(f"r{i}", " ".join(rng.choice(words, 9)), " ".join(rng.choice(words, 4)))
        for i in range(size)
    ]


ARCHIVE_WORDS = (
    "Obama Biden Guantanamo detainees released protesters arrested Charlotte lottery "
    "Ohio premiums wombats fires eclipse senator governor taxes wages border vaccine "
    "hospital election ballots million percent doctors schools crime police"
)


def connector_reads_of(matcher: Matcher, query: str) -> tuple[list[Match], dict[str, float]]:
    """What the connector read before ``kept_and_sure``: each stage matched on its own."""
    matches = matcher.lexical().match(query, top=10)
    sure = {m.id: m.probability for m in matcher.with_absolute().match(query, top=10)}
    return matches, sure


def test_the_connector_reads_both_stages_from_one_retrieval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``kept_and_sure`` gives what the lexical and the absolute matches gave apart,
    from one BM25 scoring of the archive instead of two."""
    matcher = Matcher.build([*crowded_archive(), *ARCHIVE])
    assert matcher.stage == "static"
    rng = np.random.default_rng(11)
    queries = [" ".join(rng.choice(ARCHIVE_WORDS.split(), 6)) for _ in range(25)]
    # Words of one record each: the static neighbours join with no BM25 at all.
    queries += ["burrows to escape in Australia", "Total Eclipse of the Sun", TWEET, "zzzz"]
    more_than_the_lexical_pool = neighbours_without_bm25 = 0
    for query in queries:
        assert matcher.kept_and_sure(query, top=10) == connector_reads_of(matcher, query)
        found, lexical_pool = matcher.pool(query), matcher.lexical().pool(query)
        assert np.array_equal(lexical_part(found).pool, lexical_pool.pool)
        assert np.array_equal(lexical_part(found).bm25, lexical_pool.bm25)
        more_than_the_lexical_pool += np.count_nonzero(found.bm25 > 0) > POOL
        neighbours_without_bm25 += bool(np.any(found.bm25 == 0))
    assert more_than_the_lexical_pool and neighbours_without_bm25

    calls = Counter()
    scores = Bm25Index.scores

    def counted(index: Bm25Index, query: list[str]) -> np.ndarray:
        calls["scores"] += 1
        return scores(index, query)

    monkeypatch.setattr(Bm25Index, "scores", counted)
    matcher.kept_and_sure(TWEET, top=10)
    assert calls["scores"] == 1
    connector_reads_of(matcher, TWEET)
    assert calls["scores"] == 3


def test_the_lexical_matcher_reads_both_from_its_own_pool() -> None:
    matcher = Matcher.build(ARCHIVE, paraphrase=False)
    for query in ("Obama 122 Guantanamo", "70 percent Charlotte", TWEET):
        assert matcher.kept_and_sure(query, top=10) == connector_reads_of(matcher, query)


def test_reranker_weights_fit_the_features() -> None:
    weights = json.loads(WEIGHTS_PATH.read_text())
    assert {"lexical", "static", "semantic"} <= set(weights)
    for stage in weights.values():
        # In the order of NAMES; a stage fitted before a feature was added lacks it.
        assert stage["features"] == [n for n in features.NAMES if n in stage["features"]]
        if "trees" in stage:  # the static stage's: each split reads one of its features
            splits = [f for tree in stage["trees"]["feature"] for f in tree if f >= 0]
            assert splits and max(splits) < len(stage["features"])
        else:
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


# --- the calibrated probability and the thresholds --------------------------------------


def reranker_with(calibration: dict | None) -> Reranker:
    weights = json.loads(WEIGHTS_PATH.read_text())["lexical"]
    return Reranker.from_json({**weights, "calibration": calibration})


def test_without_a_calibration_the_probability_is_the_plain_logistic() -> None:
    plain = reranker_with(None)
    assert plain.probability(0.0) == 0.5
    assert plain.probability(2.0) == pytest.approx(1 / (1 + np.exp(-2.0)))


def test_the_calibration_reads_between_its_steps_and_holds_beyond_them() -> None:
    steps = {"scores": [-1.0, 0.0, 2.0], "probabilities": [0.0, 0.2, 0.9]}
    calibrated = reranker_with(steps)
    assert calibrated.probability(-5.0) == 0.0
    assert calibrated.probability(1.0) == pytest.approx(0.55)
    assert calibrated.probability(9.0) == 0.9


def test_the_shipped_calibration_is_a_non_decreasing_probability() -> None:
    # The thresholds are on it: weights refitted without it would keep other matches.
    weights = json.loads(WEIGHTS_PATH.read_text())
    # Every stage a matcher uses without an encoder: static by default, lexical for
    # the connector's kept matches and a matcher built with paraphrase=False.
    assert "calibration" in weights["lexical"] and "calibration" in weights["static"]
    for stage in weights.values():
        if "calibration" in stage:
            steps = stage["calibration"]
            assert steps["scores"] == sorted(steps["scores"])
            assert steps["probabilities"] == sorted(steps["probabilities"])
            assert steps["probabilities"][0] >= 0.0 and steps["probabilities"][-1] < 1.0


def test_a_match_is_kept_and_strong_from_its_threshold_up() -> None:
    assert 0.0 < KEEP < STRONG < 1.0
    match = Match("a", 0.0, probability=KEEP)
    assert kept(match) and not kept(Match("a", 0.0, probability=KEEP - 0.001))
    assert strong(match, {"a": STRONG}) and not strong(match, {"a": STRONG - 0.001})
    assert not strong(match, {"b": 1.0})  # the absolute model did not find this record
    assert not strong(Match("a", 0.0, probability=KEEP - 0.001), {"a": 1.0})  # not kept


def test_matches_carry_the_calibrated_probability_of_their_score(matcher: Matcher) -> None:
    found = matcher.match("Obama released 122 Guantanamo detainees", top=3)
    assert [m.probability for m in found] == sorted((m.probability for m in found), reverse=True)
    assert all(m.probability == round(matcher.reranker.probability(m.score), 4) for m in found)


def test_isotonic_steps_never_fall_and_never_say_certain() -> None:
    scores = np.array([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0])
    steps = training.isotonic(scores, np.array([0, 0, 1, 0, 0, 1, 1, 1]))
    assert steps["probabilities"] == sorted(steps["probabilities"])
    assert steps["probabilities"][0] == 0.0 and steps["probabilities"][-1] == training.MOST_LIKELY


# --- measuring the thresholds ------------------------------------------------------------


def likely(id_: str, probability: float) -> Match:
    return Match(id_, 0.0, probability=probability)


def test_thresholds_count_right_and_wrong_matches_and_false_alarms() -> None:
    found = [
        ([likely("a", 0.9), likely("b", 0.4), likely("c", 0.1)], frozenset({"a"})),
        ([likely("c", 0.35)], frozenset({"d"})),
        ([likely("e", 0.6), likely("f", 0.5)], frozenset({"f"})),
    ]
    missing = [[likely("x", 0.85)], [likely("y", 0.5)], [likely("z", 0.1)]]
    t = evaluation.at_thresholds(found, missing, keep=0.3, strong=0.8, top_k=3)
    assert (t.kept_precision, t.kept_recall) == (2 / 5, 2 / 3)  # a, b, c, e, f kept
    assert (t.strong_precision, t.strong_recall) == (1.0, 1 / 3)  # only a is strong
    assert (t.kept_false_alarms, t.strong_false_alarms) == (2 / 3, 1 / 3)
    one = evaluation.at_thresholds(found, missing, keep=0.3, strong=0.8, top_k=1)
    assert (one.kept_precision, one.kept_recall) == (1 / 3, 1 / 3)  # a, c, e


def test_strong_by_another_models_probability_reads_the_first_kept_records() -> None:
    found = [
        ([likely("a", 0.9), likely("b", 0.4)], frozenset({"a"})),
        ([likely("c", 0.35)], frozenset({"d"})),
        ([likely("e", 0.6)], frozenset({"e"})),
    ]
    missing = [[likely("x", 0.85)], [likely("y", 0.5)]]
    # The other model: a is unsure (strong by its own 0.9 no longer), c and e are sure,
    # b is sure but not first; of the missing, y is sure.
    sure = ([{"a": 0.2, "b": 0.9}, {"c": 0.8}, {"e": 0.75}], [{"x": 0.1}, {"y": 0.95}])
    t = evaluation.at_thresholds(found, missing, keep=0.3, strong=0.7, top_k=3, sure=sure)
    assert (t.kept_precision, t.kept_recall) == (2 / 4, 2 / 3)  # the kept are unchanged
    assert (t.strong_precision, t.strong_recall) == (1 / 2, 1 / 3)  # c wrong, e right
    assert (t.kept_false_alarms, t.strong_false_alarms) == (1.0, 1 / 2)  # y


def test_records_saying_the_same_as_the_gold_one_count_as_gold() -> None:
    twin = Candidate("twin", ARCHIVE[0].claim.replace("Obama", "Obama "), ARCHIVE[0].title)
    query = evaluation.Query("q", "Obama 122", frozenset({"gitmo"}))
    (expanded,) = evaluation.with_their_twins([*ARCHIVE, twin], [query])
    assert expanded.gold == {"gitmo", "twin"}


def test_without_gold_each_query_is_matched_against_an_archive_missing_its_own() -> None:
    queries = [
        evaluation.Query("1", "Obama freed 122 Guantanamo prisoners in Charlotte",
                         frozenset({"gitmo"})),
        evaluation.Query("2", "70% of Charlotte protesters were from out of state",
                         frozenset({"charlotte"})),
        evaluation.Query("3", "Biden: Obama would put you back in chains", frozenset({"chains"})),
    ]  # fmt: skip
    found = evaluation.matches_without_gold(ARCHIVE, queries, Matcher.build, top=5, folds=2)
    ids = [{m.id for m in matches} for matches in found]
    assert "gitmo" not in ids[0] and "charlotte" in ids[0]  # the others' gold is there
    assert "charlotte" not in ids[1]
    # Queries 1 and 3 share a fold: the archive they meet lacks both their golds.
    assert "chains" not in ids[2] and "gitmo" not in ids[2] and "obamacare" in ids[2]


# --- fitting the calibration ---------------------------------------------------------------

CALIBRATION_QUERIES = [
    evaluation.Query("1", "Obama freed 122 Guantanamo prisoners", frozenset({"gitmo"})),
    evaluation.Query("2", "70% of Charlotte protesters came from other states",
                     frozenset({"charlotte"})),
    evaluation.Query("3", "Biden: Republicans will put you back in chains", frozenset({"chains"})),
    evaluation.Query("4", "Ohio man wins the lottery twice", frozenset({"lottery"})),
]  # fmt: skip


def lexical_build(candidates: list[Candidate]) -> Matcher:
    return Matcher.build(candidates, paraphrase=False)


def test_the_calibration_is_fitted_with_and_without_each_gold() -> None:
    # The lexical stage: on these seven records its gold matches all outscore the best
    # match left without them (the static one scores "obamacare" above one gold match).
    steps = training.calibrate(ARCHIVE, [(CALIBRATION_QUERIES, lexical_build)])
    probability = reranker_with(steps).probability
    gitmo = CALIBRATION_QUERIES[0]
    (found,) = lexical_build(ARCHIVE).match(gitmo.text, top=1)
    (without,) = evaluation.matches_without_gold(ARCHIVE, [gitmo], lexical_build, top=1)
    # Here every gold match ranks first and every other match is wrong: the score of a
    # gold one reads as likely, that of the best one left without it as unlikely.
    assert found.id == "gitmo" and without[0].id == "obamacare"
    assert probability(found.score) == training.MOST_LIKELY
    assert probability(without[0].score) == 0.0


def test_each_stage_is_calibrated_on_matchers_of_that_stage() -> None:
    weights = json.loads(WEIGHTS_PATH.read_text())
    queries = CALIBRATION_QUERIES
    groups = training._groups(weights, queries, training.folds(ARCHIVE, queries, None))
    assert set(groups) == {"lexical", "static"}
    ((lexical_queries, lexical),) = groups["lexical"]
    assert lexical_queries == queries and lexical(ARCHIVE).static is None
    ((static_queries, build),) = groups["static"]
    with_static = build(ARCHIVE)
    assert static_queries == queries and with_static.static is not None
    assert with_static.static.table is static.load()  # the shipped table
    assert isinstance(with_static.reranker, matching.Trees)
    assert with_static.reranker.base == weights["static"]["trees"]["base"]


def test_the_semantic_calibration_builds_on_the_vectors_it_has() -> None:
    semantic = Matcher.build(ARCHIVE, encoder=ConceptEncoder())
    encoder = semantic.encoder
    assert isinstance(encoder, ConceptEncoder)
    before = encoder.calls
    build = training._semantic_build(semantic, semantic.reranker)
    part = build(ARCHIVE[2:5])
    assert encoder.calls == before  # the archive's vectors are not encoded again
    np.testing.assert_array_equal(part.embeddings, semantic.embeddings[2:5])
    assert [c.id for c in part.candidates] == [c.id for c in ARCHIVE[2:5]]


def test_a_small_archive_weighs_words_as_one_of_ten_thousand() -> None:
    df = np.array([1.0, 2.0], dtype=np.float32)
    assert np.array_equal(lexical.idf(2, df), lexical.idf(lexical.MIN_ARCHIVE, df))
    assert lexical.idf(2, df)[0] > 8  # a word in one record of two is no common word
    large = 4 * lexical.MIN_ARCHIVE  # a large archive is plain BM25
    plain = np.log1p((large - df + 0.5) / (df + 0.5))
    assert np.allclose(lexical.idf(large, df), plain)


def test_pooled_rows_say_their_query_and_their_candidate() -> None:
    matcher = Matcher.build(ARCHIVE)
    queries = [
        evaluation.Query("q0", "Obama 122 Guantanamo", frozenset({"gitmo"})),
        evaluation.Query("q1", "70 percent Charlotte", frozenset({"charlotte"})),
    ]
    rows, labels, numbers, positions = training.pooled(matcher, queries)
    assert len(rows) == len(labels) == len(numbers) == len(positions)
    for number, query in enumerate(queries):
        mine = numbers == number
        assert np.array_equal(positions[mine], matcher.pool(query.text).pool)
        gold = [matcher.candidates[p].id in query.gold for p in positions[mine]]
        assert labels[mine].tolist() == gold and any(gold)
    plain_rows, plain_labels = training.pools(matcher, queries)
    assert np.array_equal(plain_rows, rows) and np.array_equal(plain_labels, labels)
