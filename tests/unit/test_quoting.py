"""A source's text cut into sentences for the task page's quote buttons."""

from __future__ import annotations

import html
import re

from factcheck.review.services import quote_in_text
from factcheck.sources.models import SourceRecord
from tests.unit.pages import take_next_task_as
from web.desk import SNAPSHOT_SHOWN, quotable_sentences

TEXT = (
    "  Six car bombs struck Sadr City. The toll was 215, said Dr. Ali.\n\n"
    "---\n\nA curfew followed!\n   "
)


def test_the_sentences_give_the_text_back_and_quote_verbatim():
    pairs = quotable_sentences(TEXT)
    assert "".join(before + sentence for before, sentence in pairs) == TEXT
    sentences = [sentence for _, sentence in pairs if sentence]
    assert sentences == [
        "Six car bombs struck Sadr City.",
        "The toll was 215, said Dr. Ali.",
        "A curfew followed!",
    ]
    assert all(quote_in_text(sentence, TEXT) for sentence in sentences)
    assert pairs[-1] == ("\n   ", "")  # the text's tail, no sentence: no quote button


def test_a_long_text_is_cut_where_the_page_stops_showing_it():
    text = "A short sentence here. " * (SNAPSHOT_SHOWN // 10)
    pairs = quotable_sentences(text)
    assert "".join(before + sentence for before, sentence in pairs) == text[:SNAPSHOT_SHOWN]
    assert quote_in_text(pairs[-1][1], text)


def test_the_task_page_gives_each_sentence_a_quote_button_a_script_shows(
    client, desk_essay, database
):
    page = client.get(take_next_task_as(client, "rev")).text
    source_id = int(re.search(r'data-source="(\d+)"', page).group(1))
    # hidden: without the script that fills the quote, a button would do nothing.
    button = r'<button type="button" class="quote" data-quote hidden aria-label="Quote sentence'
    sentences = re.findall(rf'id="sentence-{source_id}-\d+">([^<]+)</span>{button}', page)
    with database.scope() as session:
        text = session.get(SourceRecord, source_id).snapshot_text
    assert sentences
    assert all(quote_in_text(html.unescape(sentence), text) for sentence in sentences)
