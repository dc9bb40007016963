"""The static stage: MiniLM's sense of words, from a table shipped with the package."""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest

from factcheck.factchecks import encoder, features, matching, static, training
from factcheck.factchecks.matching import Candidate, Matcher, Reranker
from tests.unit.test_claim_matching import ARCHIVE


@pytest.fixture(scope="module")
def table() -> static.StaticTable:
    loaded = static.load()
    assert loaded is not None, "the table is package data"
    return loaded


def similarity(table: static.StaticTable, a: str, b: str) -> float:
    even = np.ones(table.missing + 1, dtype=np.float32)
    return float(table.embed(table.rows(a), even) @ table.embed(table.rows(b), even))


def test_the_table_loads_with_no_network_and_no_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the static table must not touch the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(encoder, "model_dir", lambda: None)  # the wheel is not needed
    table = static.StaticTable.load()
    pieces = [str(p) for p in np.load(static.TABLE_PATH)["pieces"]]
    assert len(pieces) == 30522  # MiniLM's WordPiece vocabulary
    assert table.vectors.shape == (len(static.vocabulary(pieces)) + 1, static.DIMS)
    assert table.vectors.dtype == np.float32
    assert not table.vectors[-1].any()  # the row of tokens without one
    assert np.isfinite(table.vectors).all()


@pytest.mark.parametrize(
    ("word", "synonym", "unrelated"),
    [
        ("physician", "doctor", "banana"),
        ("automobile", "car", "senate"),
        ("film", "movie", "tax"),
        ("kids", "children", "election"),
        ("murdered", "killed", "recipe"),
    ],
)
def test_synonyms_are_close_and_unrelated_words_are_not(
    table: static.StaticTable, word: str, synonym: str, unrelated: str
) -> None:
    assert similarity(table, word, synonym) > 0.6
    assert similarity(table, word, synonym) > similarity(table, word, unrelated) + 0.4


def test_a_word_outside_the_vocabulary_is_the_mean_of_its_pieces(
    table: static.StaticTable,
) -> None:
    rows = table.rows("hydroxychloroquine")
    assert len(rows) > 1
    assert similarity(table, "hydroxychloroquine", "chloroquine") > 0.5


def test_tweet_noise_has_no_rows(table: static.StaticTable) -> None:
    assert len(table.rows("https://t.co/abc pic.twitter.com/xyz 🐨🔥")) == 0
    assert list(table.rows("#AustraliaFires")) == list(table.rows("Australia Fires"))


def test_the_stored_table_keeps_its_cosines(tmp_path) -> None:
    vectors = np.random.default_rng(18).normal(size=(50, 16)).astype(np.float32)
    letters = "abcdefghijklmnopqrstuvwxy"
    pieces = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "!"] + [f"w{c}" for c in letters]
    pieces += [f"##p{c}" for c in letters]
    path = tmp_path / "table.npz"
    static.StaticTable.save(path, vectors, pieces)
    loaded = static.StaticTable.load(path)
    assert loaded.vectors.shape == (51, 16)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    back = loaded.vectors[:-1] / np.linalg.norm(loaded.vectors[:-1], axis=1, keepdims=True)
    assert (unit * back).sum(axis=1).min() > 0.999
    assert loaded.row_of[pieces.index("wd")] == 3 and loaded.row_of[4] == loaded.missing


# --- in the matcher ---------------------------------------------------------------------

DOCTORS = Candidate(
    "doctors",
    "Doctors say that cars are dangerous for children.",
    "Are Cars Dangerous for Children?",
)
DISTRACTORS = [
    Candidate("germany", "Automobiles were first invented in Germany.", "Who Invented the Car?"),
    Candidate("books", "Kids who read books do better at school.", "Do Kids Who Read Do Better?"),
]
PARAPHRASE = "Physicians warn that automobiles harm kids"  # no stem in common with DOCTORS


def ids(found: list[matching.Match]) -> list[str]:
    return [m.id for m in found]


def test_a_paraphrase_finds_the_fact_check_that_bm25_misses() -> None:
    archive = [*ARCHIVE, *DISTRACTORS, DOCTORS]
    lexical = Matcher.build(archive, paraphrase=False).match(PARAPHRASE, top=5)
    assert "doctors" not in ids(lexical)
    found = ids(Matcher.build(archive).match(PARAPHRASE, top=10))
    assert found[0] == "doctors"  # first, above every fact-check sharing words with it


def test_the_static_stage_widens_only_a_pool_bm25_started() -> None:
    matcher = Matcher.build([*ARCHIVE, DOCTORS])
    assert matcher.static is not None
    assert matcher.match("zzzz qqqq") == []
    assert matcher.match("Physicians warn") == []  # no term of the archive at all


def test_matches_are_deterministic_and_twins_rank_in_import_order() -> None:
    twin = Candidate("later", DOCTORS.claim, DOCTORS.title)
    query = "Doctors: cars are a danger to kids"
    first = Matcher.build([*ARCHIVE, DOCTORS, twin]).match(query, top=3)
    again = Matcher.build([*ARCHIVE, DOCTORS, twin]).match(query, top=3)
    assert first == again
    assert ids(first)[:2] == ["doctors", "later"] and first[0].score == first[1].score
    reversed_order = Matcher.build([*ARCHIVE, twin, DOCTORS]).match(query, top=2)
    assert ids(reversed_order) == ["later", "doctors"]


def test_the_stage_is_chosen_by_what_the_matcher_has(monkeypatch: pytest.MonkeyPatch) -> None:
    weights = json.loads(matching.WEIGHTS_PATH.read_text())
    with_static = Matcher.build(ARCHIVE).reranker
    assert isinstance(with_static, matching.Trees)
    assert with_static.base == weights["static"]["trees"]["base"]
    monkeypatch.setattr(static, "load", lambda: None)  # the package data missing
    without = Matcher.build(ARCHIVE)
    assert without.static is None
    assert without.reranker.coef.tolist() == pytest.approx(weights["lexical"]["coef"])
    assert ids(without.match("Obama 122 Guantanamo detainees", top=1)) == ["gitmo"]


def test_the_lexical_stage_of_a_static_matcher_matches_as_one_built_without_it() -> None:
    with_static = Matcher.build(ARCHIVE)
    lexical = with_static.lexical()
    assert with_static.static is not None and lexical.static is None
    assert lexical.index is with_static.index  # the same postings, not built again
    alone = Matcher.build(ARCHIVE, paraphrase=False)
    for query in ("Obama 122 Guantanamo detainees", "Wombats are cute", "physicians warn"):
        assert lexical.match(query, top=5) == alone.match(query, top=5)
    # Each stage reads its score through its own calibration.
    found = lexical.match("Obama 122 Guantanamo detainees", top=1)[0]
    assert found.probability == round(alone.reranker.probability(found.score), 4)
    assert lexical.reranker.calibration is not None and with_static.reranker.calibration
    assert lexical.reranker.calibration[0].tolist() != with_static.reranker.calibration[0].tolist()


def test_weights_fitted_before_a_feature_was_added_still_score() -> None:
    older = list(features.NAMES[:-2])
    reranker = Reranker.from_json(
        {
            "features": older,
            "mean": [0.0] * len(older),
            "scale": [1.0] * len(older),
            "coef": [1.0] + [0.0] * (len(older) - 1),
            "intercept": 0.5,
        }
    )
    rows = np.arange(2 * len(features.NAMES), dtype=np.float32).reshape(2, -1)
    assert reranker.score(rows).tolist() == [0.5, 0.5 + len(features.NAMES)]


def test_soft_overlap_counts_synonyms_as_shared_words(table: static.StaticTable) -> None:
    texts = ["Doctors say cars are dangerous.", "Bananas grow in Ecuador.", "", "!!!"]
    index = static.StaticIndex(table, texts)
    query = index.query("Physicians warn automobiles are risky")
    soft = index.soft(query, np.array([0, 1, 2, 3]))
    assert soft[0] > soft[1] + 0.3
    assert soft[2] == soft[3] == 0.0  # no tokens, nothing in common
    # The same text covers itself fully; the order of the pool is kept.
    itself = index.soft(index.query(texts[1]), np.array([1, 0]))
    assert itself[0] == pytest.approx(1.0, abs=1e-3) and itself[1] < 0.9


def test_the_fit_moves_the_table_toward_the_sentence_vectors() -> None:
    from scipy import sparse

    from factcheck.factchecks import static_build

    prior = np.eye(3, 4)  # three tokens, four dimensions
    # Two texts, each the mean of two tokens; the encoder saw them elsewhere.
    design = sparse.csr_matrix(np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]))
    targets = np.array([[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]])
    loose = static_build.fit(prior, design, targets, strength=1e-4)
    np.testing.assert_allclose(design @ loose, targets, atol=1e-3)
    firm = static_build.fit(prior, design, targets, strength=1e4)
    np.testing.assert_allclose(firm, prior, atol=1e-3)


def test_a_query_of_thousands_of_distinct_words_is_matched_in_bounded_work(
    table: static.StaticTable,
) -> None:
    words = static.vocabulary([str(p) for p in np.load(static.TABLE_PATH)["pieces"]])
    hostile = " ".join(w for w in words if not w.startswith("##"))[:200_000] + " Obama"
    index = static.StaticIndex(table, [c.claim for c in ARCHIVE])
    query = index.query(hostile)
    assert len(query.rows) > 10 * static.SOFT_TOKENS
    soft = index.soft(query, np.arange(len(ARCHIVE)))
    assert soft.shape == (len(ARCHIVE),) and np.isfinite(soft).all()
    found = Matcher.build(ARCHIVE).match(hostile, top=3)
    assert 0 < len(found) <= 3


# --- the absolute model: a probability that does not lean on the rest of the pool ------


def absolute_model() -> Reranker:
    model = Matcher.build(ARCHIVE).with_absolute().absolute
    assert model is not None, "reranker-v1.json: the static stage has no absolute model"
    return model


def test_the_absolute_model_loads_and_reads_no_feature_of_the_pool() -> None:
    model = absolute_model()
    assert model.columns is not None
    names = [features.NAMES[i] for i in model.columns]
    assert names == list(matching.ABSOLUTE)
    assert not any("best" in name or "gap" in name or "rank" in name for name in names)
    assert len(model.coef) == len(model.mean) == len(model.scale) == len(names)


def a_row(**values: float) -> np.ndarray:
    row = np.zeros((1, len(features.NAMES)), dtype=np.float32)
    for name, value in values.items():
        row[0, features.NAMES.index(name)] = value
    return row


@pytest.mark.parametrize("feature", ["bm25", "static_cosine", "query_covered"])
def test_the_absolute_probability_rises_with_the_evidence(feature: str) -> None:
    model = absolute_model()
    base = {"bm25": 10.0, "static_cosine": 0.5, "static_soft": 0.5, "query_covered": 0.3}
    probabilities = []
    for step in range(4):
        row = a_row(**{**base, feature: base[feature] * (1 + step)})
        probabilities.append(model.probability(float(model.score(row)[0])))
    assert probabilities == sorted(probabilities) and probabilities[-1] > probabilities[0]


def test_the_best_of_a_pool_of_strangers_is_not_likely_by_the_absolute_model() -> None:
    # No fact-check in the archive says wombats are cute: the wombat one shares a word
    # and is the pool's best, which the re-ranker's calibration reads as likely.
    matcher = Matcher.build(ARCHIVE)
    query = "Wombats are cute"
    assert ids(matcher.match(query, top=1)) == ["wombats"]
    found = matcher.with_absolute().match(query, top=1)[0]
    assert found.id == "wombats" and found.probability < matching.KEEP
    assert matcher.match(query, top=1)[0].probability > found.probability


def test_the_absolute_model_keeps_the_ranking_and_finds_a_restatement_likely() -> None:
    matcher = Matcher.build(ARCHIVE)
    absolute = matcher.with_absolute()
    query = "Obama's Guantanamo releases: one hundred and twenty two back on the battlefield"
    assert [m.score for m in absolute.match(query)] == [m.score for m in matcher.match(query)]
    assert ids(absolute.match(query)) == ids(matcher.match(query))
    assert absolute.match(query, top=1)[0].probability >= matching.STRONG
    assert matcher.absolute is None  # with_absolute left the matcher as it was


def test_a_fit_on_some_columns_scores_full_rows_by_those_alone() -> None:
    rng = np.random.default_rng(18)
    rows = rng.normal(size=(200, len(features.NAMES))).astype(np.float32)
    bm25 = features.NAMES.index("bm25")
    labels = (rows[:, bm25] > 0.5).astype(np.int64)
    model = Reranker.from_json(training.fit(rows, labels, names=matching.ABSOLUTE))
    assert model.coef[list(matching.ABSOLUTE).index("bm25")] > 0
    shuffled = rows.copy()
    shuffled[:, features.NAMES.index("bm25_gap")] = rng.normal(size=200)  # not read
    assert model.score(shuffled).tolist() == model.score(rows).tolist()
    changed = rows.copy()
    changed[:, bm25] += 1.0
    assert (model.score(changed) > model.score(rows)).all()


def test_padded_token_ids_keep_each_list_and_mask_the_rest() -> None:
    """``encoder.padded``: the inputs of MiniLM in numpy, torch and ONNX alike."""
    ids, keep = encoder.padded([[101, 7, 102], [101, 102]])
    assert ids.dtype == np.int64 and keep.dtype == np.float32
    assert ids.tolist() == [[101, 7, 102], [101, 102, 0]]
    assert keep.tolist() == [[1, 1, 1], [1, 1, 0]]
