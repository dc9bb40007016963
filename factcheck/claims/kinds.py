"""The kind of a claim, by a short list of rules tried in order; the first that fits wins.

The order is the point. A question is a question whatever it holds. A
recommendation ("he should make clear ...") is an opinion even when it names
figures. A quotation is a quotation even when the speaker states a figure or an
opinion: what is checked is that the words were said. Cues of prediction and
opinion count only outside quotation marks ("I believe ..." inside a quotation
is the speaker's). Statistics come before the weaker cues of opinion, because
calling a checkable figure an opinion hides it from the desk, while the reverse
only costs a reviewer a minute. Anything else that states a fact is an event.

Reported speech is an attribution for the same reason a quotation is a
quotation: "Dr. Reyes told me the problem is not money" and "critics argue the
county should stop" are checked by asking whether the speaker said so. A
recommendation or a forecast is the writer's own only when no report frames it:
the frame comes first ("X said the city should ...") or closes the sentence
("..., according to the finance office."). A report may also go without its
speaker ("It has been frequently remarked that ...").

A forecast is the future tense, "likely", or speculation ("they could attack our
allies", "the price would be catastrophic") unless a judgment says more ("that
would be a mistake" is an opinion). An arrangement announced in the future tense is
no forecast: "I will send this Congress a budget" and "the emergency room will
remain open" are events, checked like any other.

The rules miss opinion stated in the grammar of fact ("the State of the Union is
strong"). Two learned models read each sentence the rules call a plain fact: a
logistic regression over its words and the rules' cues (``opinion``) and
all-MiniLM-L6-v2 fine-tuned on the same labelled sentences (``finetuned``, int8 ONNX
run by onnxruntime). The mean of their probabilities makes the sentence an opinion at
or above ``finetuned.threshold()``; ``read`` gives the rules' kind alone, with the cues
the regression is trained on.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from factcheck.claims import finetuned, opinion
from factcheck.claims.dates import find_dates
from factcheck.claims.lexicon import words
from factcheck.claims.quantities import Quantity, find_quantities, is_statistic
from factcheck.claims.quotes import mask, quoted_regions

KINDS = (
    "statistic",
    "quotation",
    "event",
    "attribution",
    "comparison",
    "causal",
    "prediction",
    "opinion",
    "question",
    "heading",  # a title or heading line: not a claim at all
)
NOT_CHECKABLE_KINDS = frozenset({"prediction", "opinion", "question", "heading"})

_TRAILING_CLOSERS = "\"'”’»)]"
_MIN_QUOTED_WORDS = 3  # a shorter quotation is a scare quote ("realists"), not a quotation

# Advice and obligation: "should", "must", "need to", "we will need", an imperative. "Did not
# need to" tells what was not required, not what should be done.
_RECOMMENDATION = re.compile(
    r"\b(?:should|must|ought to|(?<!did not )(?<!didn['’]t )needs? to|ha(?:s|ve) to(?! do with)"
    r"|it is time to|let['’]s|let us"
    r"|we (?:will |would |)(?:soon |)need|what we need|is the only way"
    r"|(?:I|we) (?:\w+ly )?(?:urge|ask|call on)|(?:can|could)(?:not|n['’]t) afford|no reason to)\b"
    r"|^\W*(?:think|consider|imagine|remember|look at|note that|don['’]t|do not|stop)\b",
    re.IGNORECASE,
)
# Statements about the future. "Going to school" or "to war" is a place, not a tense.
_PREDICTION = re.compile(
    r"(?<!political )(?<!the )(?<!free )(?<!good )(?<!ill )(?<!own )"
    r"\b(?:will|shall|won['’]t|(?:is|are) (?:un)?likely\b"
    r"|going to (?!(?:the|a|an|school|work|church|college|court|war|bed|jail)\b)"
    r"|(?:is|are) (?:expected|set|poised|due) to)|\b(?:I|you|we|they|he|she|it)['’]ll\b",
    re.IGNORECASE,
)
# What could or might happen, or would be: speculation about the future. "Longer than
# the authority could serve" is a measure, not a guess (see _is_speculation).
# "Could not achieve" is a past inability, not a guess.
_SPECULATION = re.compile(r"\b(?:could|might)\b(?!\s+not\b|\s+have\b)|\bwould be\b", re.IGNORECASE)
# An arrangement announced in the future tense is an event, not a forecast: "I will
# send this Congress a budget", "the emergency room will remain open".
_ARRANGEMENT = re.compile(
    r"\b(?:I|we)\s+(?:will|shall|['’]ll)\s+(?:also\s+|soon\s+)?"
    r"(?:send|submit|recommend|propose|sign|veto|issue|present|introduce|announce)\b"
    r"|\b(?:will|shall)\s+(?:remain\s+(?:open|closed|in\s+(?:place|force|effect))"
    r"|be\s+(?:referred|transferred|moved|closed|reopened|held)|receive|take\s+effect)\b",
    re.IGNORECASE,
)
# Marks of the writer's own stance: belief, certainty, evaluation, the reader addressed.
_STANCE = re.compile(
    r"\b(?:I|we) (?:believe|think|feel|suspect|doubt)\b|\bin (?:my|our) view\b|\bin fact\b"
    r"|\bof course\b|\b(?:clearly|obviously|surely|undoubtedly|unfortunately|sadly)\b"
    r"|\bno (?:more )?doubt\b|\bthe (?:problem|point|truth|reality|question) is\b"
    r"|\bthe only (?:way|option|solution|hope|answer|chance|one that)\b"
    r"|\b(?:futil(?:e|ity)|vivid|unattainable|absurd|ridiculous|shameful|disgraceful"
    r"|outrageous|hopeless|disastrous|foolish|tragic|totally|utterly)\b"
    r"|\b(?:you|your)\b|^\W*(?:we['’]re|we are|I['’]m|I am)\b"
    r"|\btoo (?:many|much|often|few|little)\b|\b(?:evil|disturbing|ill-judged|madness)\b"
    r"|\bnever been \w+er\b",
    re.IGNORECASE,
)
# Who holds which office or role: "he's now Iraq's Finance minister", "run by".
_ATTRIBUTION = re.compile(
    r"\b(?:(?:is|was|are|were|became|becomes|remains|has been|had been|serves as|served as"
    r"|named|appointed|elected)|(?:he|she|who|that|it)['’]s)\s+"
    r"(?:[\w'’.-]+\s+){0,5}?"
    r"(?:(?:prime |deputy |vice |foreign |finance |defen[cs]e |interior )?minister|president"
    r"|secretary|spokes(?:man|woman|person)|leader|chief of|head of|chair(?:man|woman)?"
    r"|director|governor|mayor|senator|ambassador|commander|ceo|founder|member of|envoy"
    r"|premier|chancellor)\b(?![’']s|\s+(?-i:[A-Z]))"
    r"|\b(?:run|led|headed|controlled|chaired|founded|owned) by\b|\bin charge of\b",
    re.IGNORECASE,
)
# Comparisons: "more than enough troops", "larger than", "similar to", "compared with".
# "More than 200" is a quantity's qualifier, not a comparison.
_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|(?!rather\b|other\b)\w{2,}er)\s+(?:\w+\s+){0,3}?than\b"
    r"(?!\s+(?:[$€£]?\d|an?\s|one\b|two\b|three\b|a few\b|a couple\b|a dozen\b))"
    r"|\b(?:similar to|compared (?:to|with)|the same as|unlike|outnumber(?:s|ed)?"
    r"|(?:twice|half|three times) as)\b",
    re.IGNORECASE,
)
# Cause and effect.
_CAUSAL = re.compile(
    r"\b(?:because|caused|causes|led to|leads to|due to|as a result|that['’]s why"
    r"|retaliation for|in retaliation|in response to|resulted in|results in|blamed for"
    r"|thanks to|so that)\b",
    re.IGNORECASE,
)


# Reported speech and belief: "X told me", "critics argue", "according to".
# Nouns spelled like verbs ("his claims", "911 calls") are left out, as are
# forms that are rarely a report ("called", "reports").
_REPORTING_VERB = re.compile(
    r"\b(?:said|says|say|told|tells|argue[sd]?|argue|claimed|contend(?:s|ed)?|insist(?:s|ed)?"
    r"|warn(?:s|ed)|wrote|writes|noted|added|announced|testified|acknowledged|admitted"
    r"|denied|denies|believe[sd]?|think|thinks|thought|expects|expected|estimated|found"
    r"|concluded|accused|urged|predicted|maintains|maintained|agreed|complained|promised"
    r"|pledged|vowed|asserted|confirmed|explained|recalled|suggested|suggests|remarked"
    r"|reported|pointed out|speculated"
    # The verbs that introduce a blogger's or an official's words in news and comment
    # ("Blogger Iyad El-Baghdadi summarized their priorities:", "the judge clarified the
    # verdict:"); their present forms are nouns too ("his comments", "the United States").
    r"|tweeted|commented|summari[sz]ed|stressed|stated|described|responded|lamented"
    r"|emphasi[sz]ed|critici[sz]ed|clarified|expressed|demanded|answered|replied)\b"
    # A present form that ends the writer's words before a quote: "Ahmed Shakeel tweets:".
    r"|\b(?:tweets|comments|explains|reflects|states|replies|laments|asks|adds|notes)"
    r"(?:\s+\w+ly)?\s*:\s*$",
    re.IGNORECASE,
)
_ACCORDING_TO = re.compile(r"\baccording to\b", re.IGNORECASE)
# A view held by others, its holders unnamed: "Guterres was seen as an energetic
# moderniser", "This has been disputed by Iran.", "was allegedly plotted".
_HELD_VIEW = re.compile(
    r"\b(?:is|was|are|were|been|being)\s+(?:\w+ly\s+)?(?:considered|seen as|viewed as"
    r"|regarded as|described as|perceived as|believed|thought to|assumed|alleged|accused of"
    r"|derided|ridiculed|touted as|disputed by|denied by)\b|\ballegedly\b",
    re.IGNORECASE,
)
# A report without its speaker: "It has been frequently remarked that ...".
_PASSIVE_REPORT = re.compile(
    r"\b(?:it|this) (?:has been|had been|is|was|['’]s) (?:\w+ly )?"
    r"(?:said|argued|claimed|remarked|suggested|reported|alleged|held up)\b",
    re.IGNORECASE,
)
# A word right before the verb that makes it no report of someone else's: the
# writer ("I think"), a passive ("was found"), an infinitive or a modal ("to say",
# "would argue"), a determiner or possessive before a noun ("a thought"). A digit
# may be one: "Sen. Tom Becker (R-Dist. 12) argues".
_NOT_A_SPEAKER = words(
    """i we you to was were is are be been being am can could would should will may might
    must shall do does did a an the this that his her its their our my your"""
)
_WORD_BEFORE = re.compile(r"([\w'’]+)\W*$")
# Words between the subject and the verb, looked past: "I have found", "the mayor has
# long said", "Reyes strongly argues". A list, not every word in -ly: "the family said".
_LOOKED_PAST = words(
    """have has had also never always just already now once still long first strongly
    frequently repeatedly publicly privately recently previously initially reportedly
    openly firmly"""
)
_SKIPPED_WORDS = 2
_SPEAKER_REACH = 40  # characters looked at before the verb: the work stays linear
_CLOSING_FRAME_WORDS = 6  # ", the hospital announced on Monday." closes the sentence
# What the writer holds to be right or wrong: rights, failures, what is deserved.
_NORMATIVE = re.compile(
    r"\bis an? (?:[a-z]+ )?right\b|\bhard to (?:see|imagine|believe|justify)\b|\banything but\b"
    r"|\b(?:is|was|are|were|be|it|but)\s+(?:not\s+)?(?:an?\s+)?(?:[a-z]+\s+)?"
    r"(?:failure|mistake|disgrace|scandal|travesty|betrayal|outrage|luxury|choice)\b"
    r"|\b(?:is|are|was|were|be) (?:simply |plainly )?(?:wrong|unfair|unjust|immoral"
    r"|unacceptable|indefensible|inexcusable|misguided|reckless|irresponsible|easy)\b"
    r"|\bdeserve[sd]?\b|\b(?:we|you) owe\b|\bit(?: is|['’]s) time\b"
    r"|\bworth (?:keeping|doing|trying)\b|\b(?:is|are) (?:just|evil)\b|\ba tribute to\b"
    r"|\b(?:is|are) (?:my|our|the) (?:\w+ )?(?:task|duty|obligation|goal)\b"
    r"|\bthe (?:\w+ )?(?:task|duty|obligation|goal) is\b"
    r"|\b(?:my|our) (?:\w+ )?(?:task|duty|obligation|goal|first line of defense)"
    r"(?: [\w'’]+){0,4} is\b"
    r"|\bequally important\b|\b(?:is|are) (?:\w+ )?important\b|\b(?:I|we) (?:mean|intend) to\b"
    r"|\bposes? (?:an? )?(?:\w+ (?:and )?){0,3}(?:danger|threat)\b"
    # What could have been done: a judgment of the past ("could have been prevented").
    r"|\bcould have\b",
    re.IGNORECASE,
)


# The kinds the learned check may turn into an opinion: plain statements of fact.
# Questions, quotations and reports keep their kind (what is checked is that they were
# asked or said), figures stay checkable whatever the sentence around them says (hiding
# a figure from the desk costs more than a reviewer's minute), and forecasts and the
# rules' own opinions are not checkable already.
REFINED_KINDS = frozenset({"event", "comparison", "causal"})
# With no report framing it, a sentence holds none of these if the rules found a plain fact.
_ABSENT_FROM_FACTS = frozenset({"recommendation", "stance", "normative", "office"})
_OPENS_WITH_SPEAKER = re.compile(r"^\W*(?:I|we|our|my)\b", re.IGNORECASE)


def classify(sentence: str, quantities: list[Quantity] | None = None) -> str:
    """The kind of one sentence or clause (see KINDS); ``quantities`` if already found.

    The rules decide, and the learned model of ``opinion`` may turn a plain statement
    of fact into an opinion (the speeches' "the state of our Union is strong").
    """
    return classified(sentence, quantities)[0]


def classified(sentence: str, quantities: list[Quantity] | None = None) -> tuple[str, float]:
    """``classify``'s kind and the opinion check's probability that the sentence is not
    checkable (0 where it is not asked: the rules' kind is not a plain fact): the mean of
    the logistic regression's (``opinion``) and the fine-tuned MiniLM's (``finetuned``)."""
    kind, outside, reported, quantities = _rules(sentence, quantities)
    if kind not in REFINED_KINDS:
        return kind, 0.0
    # The rules reached a plain fact only past these cues: they are absent, and not
    # looked for again (the features are the same as ``read``'s, in less time).
    cues = _cues(outside, reported, quantities, skip=_ABSENT_FROM_FACTS)
    found = opinion.features(sentence, kind, cues)
    regression = opinion.model().probability(found, opinion.vector(sentence))
    probability = (regression + finetuned.probability(sentence)) / 2
    return refined(kind, probability, finetuned.threshold()), probability


def refined(kind: str, probability: float, threshold: float) -> str:
    """The rules' ``kind``, or an opinion when the model's ``probability`` reaches ``threshold``."""
    return "opinion" if kind in REFINED_KINDS and probability >= threshold else kind


def read(sentence: str, quantities: list[Quantity] | None = None) -> tuple[str, list[str]]:
    """The kind by the rules alone, and the names of the rules' cues the sentence holds."""
    kind, outside, reported, quantities = _rules(sentence, quantities)
    return kind, _cues(outside, reported, quantities)


def _rules(
    sentence: str, quantities: list[Quantity] | None
) -> tuple[str, str, bool, list[Quantity]]:
    """The rules' kind, the writer's own words, whether a report frames them, the quantities."""
    if quantities is None:
        dates = [(m.start, m.end) for m in find_dates(sentence) if not m.duration]
        quantities = find_quantities(sentence, skip=dates)
    regions = quoted_regions(sentence)
    outside = mask(sentence, regions)  # the writer's own words
    report = _report(outside)

    def own(pattern: re.Pattern[str]) -> bool:
        """Does the cue occur, and is it the writer's (no report frames it)?"""
        cue = pattern.search(outside)
        return cue is not None and not (report is not None and report.precedes(cue.start()))

    rules = (
        ("question", lambda: is_question(sentence)),
        ("opinion", lambda: own(_RECOMMENDATION)),
        ("quotation", lambda: _has_quotation(sentence, regions)),
        ("prediction", lambda: _is_forecast(outside, own)),
        ("statistic", lambda: any(is_statistic(q) for q in quantities)),
        (
            "attribution",
            lambda: (
                report is not None or _ATTRIBUTION.search(outside) or _HELD_VIEW.search(outside)
            ),
        ),
        ("opinion", lambda: _STANCE.search(outside) or _NORMATIVE.search(outside)),
        ("comparison", lambda: _COMPARISON.search(outside)),
        ("causal", lambda: _CAUSAL.search(outside)),
    )
    kind = next((kind for kind, matches in rules if matches()), "event")
    return kind, outside, report is not None, quantities


def _cues(
    outside: str, reported: bool, quantities: list[Quantity], skip: frozenset[str] = frozenset()
) -> list[str]:
    """The rules' cues found in the writer's words, by name, whichever rule won.

    ``skip`` names cues known to be absent, not looked for.
    """
    patterns = {
        "recommendation": _RECOMMENDATION,
        "prediction": _PREDICTION,
        "speculation": _SPECULATION,
        "arrangement": _ARRANGEMENT,
        "stance": _STANCE,
        "normative": _NORMATIVE,
        "office": _ATTRIBUTION,
        "comparison": _COMPARISON,
        "causal": _CAUSAL,
        "speaker-first": _OPENS_WITH_SPEAKER,
    }
    found = [
        name for name, pattern in patterns.items() if name not in skip and pattern.search(outside)
    ]
    if reported:
        found.append("report")
    if quantities:
        found.append("quantity")
    return found


def _is_forecast(outside: str, own: Callable[[re.Pattern[str]], bool]) -> bool:
    """The writer's own forecast or speculation, not an arrangement already made."""
    if _ARRANGEMENT.search(outside):
        return False
    return own(_PREDICTION) or _is_speculation(outside, own)


def _is_speculation(outside: str, own: Callable[[re.Pattern[str]], bool]) -> bool:
    """ "They could attack our allies", but not "longer than the authority could serve".

    A judgment wins over the modal: "That would be a mistake" is an opinion.
    """
    if not own(_SPECULATION) or _NORMATIVE.search(outside) or _STANCE.search(outside):
        return False
    cue = _SPECULATION.search(outside)
    clause = re.split(r"[,;:]", outside[: cue.start()])[-1]
    return not re.search(r"\bthan\b", clause, re.IGNORECASE)


class _Report:
    """Where a report frames a sentence: from ``start`` on, or all of it when it closes it."""

    def __init__(self, start: int, closing: bool) -> None:
        self.start = start
        self.closing = closing

    def precedes(self, position: int) -> bool:
        return self.closing or self.start < position


def _report(outside: str) -> _Report | None:
    """The first frame of reported speech in the writer's words, if any."""
    frames = [m.start() for m in _ACCORDING_TO.finditer(outside)]
    frames += [m.start() for m in _PASSIVE_REPORT.finditer(outside)]
    frames += [m.start() for m in _REPORTING_VERB.finditer(outside) if _has_speaker(outside, m)]
    if not frames:
        return None
    last_comma = outside.rfind(",")
    closing = max(frames) > last_comma >= 0 and (
        len(outside[max(frames) :].split()) <= _CLOSING_FRAME_WORDS
        or _ACCORDING_TO.match(outside, max(frames)) is not None
    )
    return _Report(min(frames), closing)


def _has_speaker(text: str, verb: re.Match[str]) -> bool:
    """Is someone other than the writer the verb's subject ("Reyes told", not "I think")?"""
    end = verb.start()
    for _ in range(_SKIPPED_WORDS + 1):
        before = _WORD_BEFORE.search(text, max(0, end - _SPEAKER_REACH), end)
        if before is None:
            return False  # a sentence opening with the verb ("Say what you will")
        word = before.group(1).lower()
        if word not in _LOOKED_PAST:
            return word not in _NOT_A_SPEAKER
        end = before.start()
    return True


def is_question(sentence: str) -> bool:
    """Does the sentence end with a question mark (perhaps inside closing quotes)?"""
    return sentence.rstrip().rstrip(_TRAILING_CLOSERS).endswith("?")


def _has_quotation(sentence: str, regions: list[tuple[int, int]]) -> bool:
    return any(len(sentence[start:end].split()) >= _MIN_QUOTED_WORDS for start, end in regions)
