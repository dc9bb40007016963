"""Claims that stand alone: the wording of an atomic claim as a sentence of its own.

A claim cut from its sentence may lean on words it no longer has. The repairs are
by rule and conservative (a claim left as it was is better than one given the wrong
subject):

- a relative clause gets its antecedent back: "..., which is run by one of Moqtada
  al-Sadr's followers." after "attacked the Ministry of Health" becomes "The
  Ministry of Health is run by one of Moqtada al-Sadr's followers."; "Bayan Jabr,
  who ran the ministry" (cut before the main verb) "Bayan Jabr ran the ministry";
  "whose blog" the name's blog;
- a claim that opens with its verb gets the named subject it shares: "the next
  day, was attacked" after "the U.S. Army was defending ... and," or "is now
  minister" after "Bayan Jabr, who ..., ";
- a time clause cut out loses its "when" or "just hours before"; the main clause
  after an opening one keeps the sentence's day ("On Thursday, ...");
- "the other that ..." after "One side thought ..." gets "side thought" back;
- a quotation that goes on from the sentence before gets that sentence's speaker
  ('Mohammed wrote: "..."');
- a subject pronoun (he, she, it, they) that opens the claim, perhaps after a
  time phrase ("Last week they ..."), is replaced by the named entity it points
  to in the same sentence or the previous one: he and she by the first person's
  name, they by two names joined by "and" or a plural subject that names
  something ("U.S. forces"), it by a singular named subject ("The Ministry of
  Health was ..."). "It is hard to see ..." has no antecedent and stays;
- a pronoun inside the claim (he, she, him, his, they, it) gets a name only when
  the sentence so far, or else the sentence before, names exactly one of its kind:
  one person for he, she, him and his; two names joined by "and" for they; for
  it, one body (an army, a ministry, a militia) or country ("the United States",
  "America's": a short list, ``COUNTRIES``), and not the claim's own subject when
  "it" is an object ("was attacked by it"). A country is given only to an "it"
  that is the subject of a verb other than be or do ("the one it faced"), from
  the claim's own sentence; one named as a place ("in Iraq") or before a noun
  ("U.S. forces") does not count. "it" that points at nothing ("it is hard to",
  "made it impossible to"), "her" (his or him?) and words inside quotation marks
  stay;
- in a claim cut from its sentence, "the ministry" becomes the one ministry named
  in the sentence or the one before.

Only the wording changes; the claim's span in the essay stays the essay's own
words, which is what the reader highlights.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from factcheck.claims.entities import TITLES, find_entities
from factcheck.claims.lexicon import COMMON_VERBS, FUNCTION_WORDS, words
from factcheck.claims.quotes import inside, quoted_regions

# Each pronoun looks for its name in the sentence so far: the longest sentence worded
# is bounded, so that the work stays linear in the essay (as ``atoms._MAX_SENTENCE``).
_MAX_SENTENCE = 1_000
_RELATIVE = re.compile(r"(?:which|who|whose)\b", re.IGNORECASE)
_PLURAL_VERB = re.compile(r"(?:which|who)\s+(?:\w+ly\s+)?(?:are|were|have)\b", re.IGNORECASE)
# The name a relative clause leans on: capitalised words closing the text before it,
# with the particles names hold ("Ministry of the Interior", "Moqtada al-Sadr").
_NAMED_ANTECEDENT = re.compile(
    r"(?:\b(?:the|The)\s+)?[A-Z][\w'’.-]*(?:\s+(?:(?:of|for|the|de|al|and)\s+)*[A-Z][\w'’.-]*)*\s*$"
)
TIME_PHRASE = (
    r"(?:(?:last|this|next|that) (?:week|month|year|night|spring|summer|fall|autumn|winter)"
    r"|(?:the|one|that|the following) (?:next )?(?:day|morning|evening|night|week)"
    r"|yesterday|today|now|then|later|since then|on \w+day|in \d{4})"
)
# "just hours before", "two days after": a clause set in time against the main one.
INTERVAL = (
    r"(?:(?:just|only|barely|mere|some|a few|several|\d+|two|three|four|five|six)\s+)*"
    r"(?:seconds|minutes|hours|days|weeks|months|years|moments)\s+(?:before|after)"
)
_SUBORDINATE = re.compile(
    rf"(?P<time>{TIME_PHRASE},?\s+)?(?:{INTERVAL}|when|while|once|as soon as)\s+(?=[^,]*$)",
    re.IGNORECASE,
)
# A sentence that opens with a time and a clause set against it: "On Thursday, just
# hours before ..., " gives its time to the main clause after it.
_OPENING_TIME_CLAUSE = re.compile(
    rf"\s*(?P<time>{TIME_PHRASE}),\s+(?:{INTERVAL}|when|while)\b[^,]*,\s*$", re.IGNORECASE
)
_FINITE_VERB = (
    r"(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|remains"
    r"|remained|became|becomes|\w+ed)\b"
)
# A claim that opens with its verb: its subject is the sentence's, before the cut.
_VERB_OPENING = re.compile(rf"(?:{TIME_PHRASE},?\s+)?(?={_FINITE_VERB})", re.IGNORECASE)
_NAME_THEN_RELATIVE = re.compile(
    r"(?P<name>[^,]+),\s+(?P<clause>(?P<relative>which|who|whose)\b.+)", re.IGNORECASE | re.DOTALL
)
_RELATIVE_BEFORE = re.compile(
    r"(?P<name>[^,]+),\s+(?:which|who|whose)\b.*,\s*$", re.IGNORECASE | re.DOTALL
)
_TRAILING_CONJUNCTION = re.compile(r"\s*,?\s*\b(?:and|but)\s*,?\s*$", re.IGNORECASE)
_DISCOURSE_MARKER = re.compile(
    r"(?:in other words|in fact|indeed|however|meanwhile|in short|of course|moreover|instead)"
    r",\s+",
    re.IGNORECASE,
)
# "One side thought ..., the other that ...": the second leaves out its verb.
_GAPPED = re.compile(r"(?P<other>the other|others)\s+(?=that\b)", re.IGNORECASE)
_CONTRAST_OPENING = re.compile(
    r"\s*(?:One|Some)\s+(?P<noun>[a-z]+)\s+(?P<verb>\w+ed|thought|said|felt|held|saw|knew)\b"
)
_NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)*"
# '"...," Mohammed wrote.': a quotation and its speaker closing the sentence before.
_SPEAKER_AT_END = re.compile(
    rf"[\"”]\s+(?P<speaker>{_NAME})\s+(?P<verb>wrote|said|says|writes|added|adds|told \w+)\.\s*$"
)
_OPENING_PRONOUN = re.compile(
    rf"(?P<intro>(?:(?:but|and|yet|so),?\s+)?(?:{TIME_PHRASE},?\s+)?)(?P<pronoun>he|she|it|they)"
    r"(?P<contraction>['’](?:s|re|ve|ll))?(?=\s)",
    re.IGNORECASE,
)
_LEADING_TIME = re.compile(rf"{TIME_PHRASE},?\s+", re.IGNORECASE)
# "It is hard to see", "It would be easy to": "it" that points at nothing.
_EXPLETIVE_IT = re.compile(
    r"it(?:['’]s|\s+(?:is|was|would be|will be|seems|seemed|appears|remains|takes|took))"
    r"\s+(?:[\w-]+\s+){0,3}?(?:to|that|for|whether|how|time)\b",
    re.IGNORECASE,
)
# "made it impossible to", "find it hard that": "it" before an adjective and "to".
_ANTICIPATORY_IT = re.compile(r"it\s+(?:[\w-]+\s+){1,2}?(?:to|that)\b", re.IGNORECASE)
_NAMES_JOINED = re.compile(rf"\b({_NAME} and {_NAME})")
_POSSESSIVE_END = re.compile(r"['’]s$")
# The subject that opens a sentence: a few words up to its verb.
_SUBJECT = re.compile(
    r"((?:[\w'’.-]+\s+){0,4}?[\w'’.-]+)\s+(?:is|are|was|were|has|have|had|will|would|can|could"
    r"|\w+ed)\b"
)
_CONTRACTED = {"'re": "are", "'ve": "have", "'ll": "will"}
_HAS_AFTER = re.compile(r"\s+(?:been|got|had|\w+ed)\b", re.IGNORECASE)  # "he's been": has
# Words that make a name a place, a body or a thing rather than a person.
_NOT_PERSONS = words(
    """ministry army brigades brigade house city states state department party council
    university univ court government agency commission committee coalition forces hospital
    school church library center centre board office service union league company bank
    county district republic kingdom nations war model east west north south asia america
    europe africa island islands sea ocean river lake valley street road minister health
    times post news"""
)

# The heads of names that "it" and "the ministry" may stand for: bodies, not places.
_INSTITUTION_HEADS = words(
    """ministry army militia government department council committee agency commission court
    party coalition union league company bank board office university hospital brigade
    movement group network administration"""
)
_INSTITUTION = "|".join(sorted(_INSTITUTION_HEADS))
# Countries and nations "it" may stand for: a plain list, one name a line.
COUNTRIES = frozenset(
    line.strip()
    for line in (Path(__file__).parent / "data" / "countries.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)
# "in Iraq": a country named as the place where something happens is the setting, not
# the actor "it" takes up ("America's predicament in Iraq ... the one it faced").
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|into|inside|within|across|throughout|to|from|at)\s+(?:the\s+)?$", re.IGNORECASE
)
_PUNCTUATION_NEXT = re.compile(r"\s*(?:[,.;:!?)\]—–]|-{2}|$)")
_NOT_NOUNS = FUNCTION_WORDS | COMMON_VERBS | words("out up down off back away")
# "it" as the subject of a verb: "it faced", "it could not achieve".
_ADVERBS = r"(?:(?:\w+ly|not|never|also|even|still|just)\s+)*"
_SUBJECT_IT = re.compile(
    rf"it\s+{_ADVERBS}(?P<verb>[a-z]+)\b(?!['’])(?:\s+{_ADVERBS}(?P<next>\w+))?"
)
_VERBS_OF_IT = COMMON_VERBS - words("is are was were be been do does did")
_PAST_TENSE = re.compile(r"\w{3,}ed")
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_NEXT_WORD = re.compile(r"(?P<possessive>['’]s\b)?\s*(?P<word>[\w-]*)")
_DEFINITE_INSTITUTION = re.compile(rf"\b[Tt]he\s+(?P<head>{_INSTITUTION})\b")
_POSSESSED_INSTITUTION = re.compile(
    rf"\b[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*['’]s\s+(?:{_INSTITUTION})\b"
)
# Pronouns inside a claim (lower case: an opening one is ``_OPENING_PRONOUN``'s);
# "he's" and "her" (his or him?) are left alone.
_INNER_PRONOUN = re.compile(r"\b(?:he|she|him|his|they|it)\b(?!['’])")
_AFTER_RELATIVE = re.compile(r"\b(?:who|whom)\s+$", re.IGNORECASE)
_OBJECT_PRONOUN = re.compile(
    r"\b(?:by|to|with|from|against|for|on|at|of|into|about)\s+$", re.IGNORECASE
)


def wording(sentence: str, start: int, end: int, previous: str = "") -> str:
    """``sentence[start:end]`` as a claim of its own; ``previous`` is the sentence before
    (in its standalone wording), where a pronoun may find its name."""
    claim = sentence[start:end]
    if len(sentence) > _MAX_SENTENCE:
        return claim  # a pasted table or a run-on: kept whole by ``atoms`` too
    before = sentence[:start]
    previous = previous[-_MAX_SENTENCE:]  # a name is looked for near the claim
    cut = start > 0 or end < len(sentence.rstrip())
    repaired = _with_antecedent(claim, before) or _inner_relative(claim, cut) or claim
    if cut:
        repaired = _without_subordinator(repaired)
        repaired = _with_shared_subject(repaired, before)
        repaired = _with_gapped_verb(repaired, sentence)
        repaired = _with_opening_time(repaired, before)
    else:
        repaired = _with_speaker(_with_full_speaker(repaired, previous), previous)
    repaired = _resolve_pronoun(repaired, before, previous)
    if cut:
        repaired = _resolve_institution(repaired, before, previous)
    repaired = _resolve_inner_pronouns(repaired, before, previous)
    # A claim cut from inside its sentence starts one of its own ("the attackers
    # fled" after ", and"); a whole sentence keeps the writer's case.
    return _capitalised(repaired) if start > 0 or repaired != claim else claim


def _with_antecedent(claim: str, before: str) -> str | None:
    """A closing relative clause with its antecedent: "which is run by ..." after
    "the Ministry of Health" reads "the Ministry of Health is run by ..."."""
    relative = _RELATIVE.match(claim)
    if relative is None or not before:
        return None
    named = antecedent(before, claim)
    if named is None:
        return None
    return _joined(named, relative.group().lower(), claim[relative.end() :])


def _inner_relative(claim: str, cut: bool) -> str | None:
    """A name with the relative clause that follows it, cut from the sentence whose verb
    comes after: "Bayan Jabr, who ran the ministry" reads "Bayan Jabr ran the ministry"."""
    if not cut:
        return None
    match = _NAME_THEN_RELATIVE.fullmatch(claim.rstrip(" ,"))
    if match is None:
        return None
    named = antecedent(match["name"], match["clause"])
    if named is None or named != match["name"].strip():
        return None
    return _joined(named, match["relative"].lower(), match["clause"][len(match["relative"]) :])


def _joined(named: str, relative: str, rest: str) -> str:
    """The antecedent in the relative pronoun's place; "whose blog" is the name's blog."""
    if relative == "whose":
        return named + ("'" if named.endswith("s") else "'s") + rest
    return named + rest


def antecedent(before: str, clause: str) -> str | None:
    """The name closing ``before`` that the relative ``clause`` after it refers to, if
    any. A plural verb after a single name ("the realists, like James Baker, who are
    ...") points further back: no antecedent then."""
    if _PLURAL_VERB.match(clause) and " and " not in before[-60:]:
        return None
    text = before.rstrip().rstrip(",").rstrip()
    match = _NAMED_ANTECEDENT.search(text)
    if match is None:
        return None
    named = match.group().strip()
    first = named.split()[0]
    if first.lower() in FUNCTION_WORDS and first.lower() != "the":
        return None  # "When", "There": a sentence's opening word, not a name
    return named


def _resolve_pronoun(claim: str, before: str, previous: str) -> str:
    match = _OPENING_PRONOUN.match(claim)
    if match is None:
        return claim
    pronoun = match["pronoun"].lower()
    if pronoun == "it" and _EXPLETIVE_IT.match(claim, match.start("pronoun")):
        return claim
    named = _name_for(pronoun, before) or _name_for(pronoun, previous)
    if named is None:
        return claim
    rest = claim[match.end() :]
    verb = _verb_of(match["contraction"], rest)
    if verb is None:
        return claim
    if match["intro"]:
        named = _lowered_article(named)
    return claim[: match.start("pronoun")] + named + verb + rest


def _name_for(pronoun: str, text: str) -> str | None:
    if not text.strip():
        return None
    if pronoun in ("he", "she"):
        return next(iter(persons(text)), None)
    if pronoun == "they":
        joined = _joined_names(text)
        if joined:
            return joined[-1]
        subject = subject_of(text)
        return subject if subject is not None and subject.endswith("s") else None
    subject = subject_of(text)  # "it"
    return subject if subject is not None and not subject.endswith("s") else None


def persons(text: str) -> list[str]:
    """Names in ``text`` that look like people's: two or more words, or after a title.
    A title on its own ("our Vice President") names no one. A name met only as an
    owner ("To fill Antonin Scalia's seat, we chose Neil Gorsuch. He ...") comes after
    the others: a pronoun more often takes up the person the sentence was about."""
    found = []
    for name in find_entities(text):
        parts = name.split()
        if any(part.lower().strip(".") in _NOT_PERSONS for part in parts):
            continue
        if all(part.lower().strip(".") in TITLES for part in parts):
            continue
        titled = re.search(rf"\b(?:{_TITLE_PATTERN})\.?\s+{re.escape(name)}\b", text, re.I)
        if len(parts) >= 2 or titled:
            found.append(name)
    return sorted(found, key=lambda name: _only_as_owner(name, text))


def _only_as_owner(name: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b(?!['’]s\b)", text) is None


_TITLE_PATTERN = "|".join(sorted(TITLES, key=len, reverse=True))


def subject_of(text: str) -> str | None:
    """The subject that opens ``text`` when it names something ("U.S. forces"), after a
    discourse marker and a time ("In other words, one day the U.S. Army was ...")."""
    opening = _DISCOURSE_MARKER.sub("", text.strip(), count=1)
    opening = _LEADING_TIME.sub("", opening, count=1)
    match = _SUBJECT.match(opening)
    if match is None:
        return None
    subject = match.group(1)
    first = subject.split()[0].lower()
    if first in ("he", "she", "it", "they", "we", "i", "you", "this", "that", "there"):
        return None
    return subject if find_entities(subject) else None


def _verb_of(contraction: str | None, rest: str) -> str | None:
    """What a contracted verb stands for once its pronoun is gone ("he's now" -> " is")."""
    if contraction is None:
        return ""
    ending = contraction.replace("’", "'").lower()
    if ending == "'s":
        return " has" if _HAS_AFTER.match(rest) else " is"
    return " " + _CONTRACTED[ending]


def _lowered_article(named: str) -> str:
    return "the" + named[3:] if named.startswith("The ") else named


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _without_subordinator(claim: str) -> str:
    """A time clause cut out as a claim of its own loses its subordinator: "when he ran
    the ministry" reads "he ran the ministry"; "On Thursday, just hours before a series
    of car bombs killed ..." reads "On Thursday, a series of car bombs killed ..."."""
    match = _SUBORDINATE.match(claim)
    if match is None:
        return claim
    return (match["time"] or "") + claim[match.end() :]


def _with_shared_subject(claim: str, before: str) -> str:
    """A claim that opens with its verb gets the subject it shares with the words before:
    "... the U.S. Army was defending Sadr's militia and, the next day, was attacked"."""
    match = _VERB_OPENING.match(claim)
    if match is None:
        return claim
    subject = _subject_before(before)
    if subject is None:
        return claim
    return claim[: match.end()] + subject + " " + claim[match.end() :]


def _subject_before(before: str) -> str | None:
    """The subject the words before a cut hand on: the name a relative clause was cut
    from ("Bayan Jabr, who ran the ministry, "), or the subject of the clause before
    "and"."""
    inner = _RELATIVE_BEFORE.fullmatch(before)
    if inner is not None:
        name = _LEADING_TIME.sub("", inner["name"].strip(), count=1)
        return name if find_entities(name) and not _has_verb(name) else None
    text = _TRAILING_CONJUNCTION.sub("", before)
    return subject_of(text) if text != before else None


def _has_verb(text: str) -> bool:
    return re.search(rf"\b{_FINITE_VERB}", text, re.IGNORECASE) is not None


def _with_gapped_verb(claim: str, sentence: str) -> str:
    """ "the other that he gave up too much", after "One side thought ...", gets back the
    noun and verb it leaves out: "the other side thought that he gave up too much"."""
    gapped = _GAPPED.match(claim)
    opening = _CONTRAST_OPENING.match(sentence)
    if gapped is None or opening is None:
        return claim
    noun = "" if gapped["other"].lower() == "others" else " " + opening["noun"]
    return f"{gapped['other']}{noun} {opening['verb']} {claim[gapped.end() :]}"


def _with_opening_time(claim: str, before: str) -> str:
    """The main clause after "On Thursday, just hours before ..., " keeps its day."""
    match = _OPENING_TIME_CLAUSE.fullmatch(before)
    if match is None or _LEADING_TIME.match(claim):
        return claim
    return f"{match['time']}, {claim}"


def _with_speaker(claim: str, previous: str) -> str:
    """A quotation that goes on from the sentence before names the speaker named there:
    '"But that cannot be done ..."' after '"...," Mohammed wrote.'."""
    if claim[:1] not in '"“' or quoted_regions(claim) != [(0, len(claim))]:
        return claim
    match = _SPEAKER_AT_END.search(previous)
    if match is None:
        return claim
    return f"{match['speaker']} {match['verb']}: {claim}"


def _with_full_speaker(claim: str, previous: str) -> str:
    """'"...," Mohammed wrote.' after "Omar and Mohammed Fadhlil threw in the towel."
    names the one person of the sentence before that the first name starts."""
    match = _SPEAKER_AT_END.search(claim)
    if match is None or " " in match["speaker"]:
        return claim
    found = {name for name in persons(previous) if name.split()[0] == match["speaker"]}
    if len(found) != 1:
        return claim
    return claim[: match.start("speaker")] + found.pop() + claim[match.end("speaker") :]


def _resolve_institution(claim: str, before: str, previous: str) -> str:
    """ "the ministry" in a claim cut from its sentence becomes the one ministry named in
    that sentence or the one before ("the Ministry of the Interior"); with none or
    several, it stays."""

    def named(match: re.Match[str]) -> str:
        head = match["head"].lower()
        for context in (before, previous):
            found = {name for name in find_entities(context) if head in _lowered_words(name)}
            if found:
                return "the " + found.pop() if len(found) == 1 else match.group()
        return match.group()

    return _outside_quotes(claim, _DEFINITE_INSTITUTION, named)


def _resolve_inner_pronouns(claim: str, before: str, previous: str) -> str:
    """he, she, him, his, they and it inside a claim, each given the one name of its kind
    in the sentence so far or, if that has none, in the sentence before. With two or
    more candidates, or none, the pronoun stays."""

    def named(match: re.Match[str]) -> str:
        pronoun = match.group()
        if match.start() == 0 or (pronoun == "it" and _points_at_nothing(claim, match.start())):
            return pronoun
        if _AFTER_RELATIVE.search(claim, 0, match.start()):
            return pronoun  # "Kislyak, who he was talking to": not the relative's name
        for context, own in ((before + claim[: match.start()], True), (previous, False)):
            found = _candidates(pronoun, context, claim, match.start())
            if len(found) == 1 and _may_stand_for(found[0], claim, match.start(), own):
                return _as_pronoun(pronoun, found[0])
            if found:
                return pronoun
        return pronoun

    return _outside_quotes(claim, _INNER_PRONOUN, named)


def _candidates(pronoun: str, context: str, claim: str, position: int) -> list[str]:
    """The names ``pronoun`` may point to in ``context``, each once."""
    if pronoun in ("he", "she", "him", "his"):
        found = persons(context)
        # "Henry Kissinger" and, later, "Kissinger" are one person.
        return list({name.split()[-1]: name for name in found}.values())
    if pronoun == "they":
        return list(dict.fromkeys(_joined_names(context)))
    found = _institutions(context) + _countries(context, quoted_regions(context))
    if _OBJECT_PRONOUN.search(claim[:position]):
        # "the U.S. Army was attacked by it": an object is not its own clause's subject.
        subject = claim[: _verb_position(claim)].lower()
        found = [name for name in found if name.lower() not in subject]
    return found


def _points_at_nothing(claim: str, position: int) -> bool:
    """ "it is hard to", "made it impossible to": an "it" that stands for what follows."""
    return bool(_EXPLETIVE_IT.match(claim, position) or _ANTICIPATORY_IT.match(claim, position))


def _as_pronoun(pronoun: str, name: str) -> str:
    return name + "'s" if pronoun == "his" else name


def _institutions(text: str) -> list[str]:
    """Bodies named in ``text`` that "it" may stand for: "the U.S. Army", "Sadr's militia"."""
    found: dict[str, str] = {}
    for match in _POSSESSED_INSTITUTION.finditer(text):
        found.setdefault(match.group().lower(), match.group())
    for name in find_entities(text):
        # "Army" alone, or "Hospital president ...", is a word, not a body's name.
        if len(name.split()) > 1 and _INSTITUTION_HEADS & _lowered_words(name):
            article = re.search(rf"\bthe\s+{re.escape(name)}\b", text, re.IGNORECASE)
            found.setdefault(name.lower(), ("the " if article else "") + name)
    return [name for key, name in found.items() if not _inside_another(key, found)]


def _may_stand_for(name: str, claim: str, position: int, own_sentence: bool) -> bool:
    """May the pronoun at ``position`` be given ``name``, the one candidate? A country
    is no one's name for he or she ("Saudi Arabia" read as a person's), and is given
    only to an "it" that does something, in the claim's own sentence: on other prose
    (debates), an "it" that is an object ("do it"), that "is" ("it was not enough") or
    that looks back a sentence was more often a deal, a law or a situation than the
    country named. A country still competes with a body for "it" either way."""
    if name.removeprefix("the ") not in COUNTRIES:
        return True
    return own_sentence and _does_something(claim, position)


def _does_something(claim: str, position: int) -> bool:
    """Is the "it" at ``position`` the subject of a verb that is not "be" or "do" ("the
    one it faced", "it could not achieve"), rather than an object or "it was ..."?"""
    match = _SUBJECT_IT.match(claim, position)
    if match is None or match["next"] in ("be", "been"):
        return False
    verb = match["verb"]
    return verb in _VERBS_OF_IT or _PAST_TENSE.fullmatch(verb) is not None


def _countries(text: str, quoted: list[tuple[int, int]]) -> list[str]:
    """Countries named in ``text`` (outside the ``quoted`` regions) that "it" may stand
    for: "the United States", "America's"; not one named only as a place ("in Iraq",
    "to America") or before a noun ("U.S. forces", "the Iraq war", "America First")."""
    found = []
    for name in find_entities(text):
        if name not in COUNTRIES:
            continue
        mentions = re.finditer(rf"(?<![\w.]){re.escape(name)}(?!\w)", text)
        actor = next(
            (m for m in mentions if not inside(quoted, m.start()) and _names_an_actor(text, m)),
            None,
        )
        if actor is not None:
            article = _THE_BEFORE.search(text, 0, actor.start())
            found.append(("the " if article else "") + name)
    return found


def _names_an_actor(text: str, mention: re.Match[str]) -> bool:
    """Is this mention of a country the country itself, not a place or a noun's word?"""
    if _LOCATIVE_BEFORE.search(text, 0, mention.start()):
        return False
    if _PUNCTUATION_NEXT.match(text, mention.end()):
        return True  # a comma or a stop after it
    following = _NEXT_WORD.match(text, mention.end())  # always matches, maybe empty
    word = following["word"]
    if following["possessive"]:
        return True  # "America's predicament"
    if not word or word in ("the", "a", "an"):
        return False  # "Iran $150 billion", "sold Canada the plan": an object
    if word[0].isupper():
        return False  # a longer name: "America First"
    lower = word.lower()  # a verb after it, not a noun: "America lost", not "U.S. forces"
    return lower in _NOT_NOUNS or re.fullmatch(_FINITE_VERB, lower) is not None


def _inside_another(key: str, found: dict[str, str]) -> bool:
    return any(key != other and key in other for other in found)


def _joined_names(text: str) -> list[str]:
    """Two names joined by "and" ("Omar and Mohammed Fadhlil"), without a possessive."""
    return [
        _POSSESSIVE_END.sub("", match.group(1))
        for match in _NAMES_JOINED.finditer(text)
        if match.group(1).split()[0].lower() not in FUNCTION_WORDS
    ]


def _verb_position(claim: str) -> int:
    match = re.search(rf"\b{_FINITE_VERB}", claim, re.IGNORECASE)
    return match.start() if match else 0


def _lowered_words(name: str) -> set[str]:
    return {word.lower() for word in name.split()}


def _outside_quotes(
    text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> str:
    """``pattern.sub(replace, text)``, leaving quoted words as the speaker said them."""
    regions = quoted_regions(text)
    return pattern.sub(lambda m: m.group() if inside(regions, m.start()) else replace(m), text)


def shares_subject(left: str, right: str) -> bool:
    """Does ``right`` open with its verb ("the next day, was attacked by it") and take
    its subject from the named one of the clause ``left`` ("the U.S. Army was ...")?"""
    return _VERB_OPENING.match(right) is not None and subject_of(left) is not None


def is_gapped_contrast(sentence: str) -> bool:
    """ "One side thought ..., the other that ...": the verb the second half leaves out
    can be taken from the first."""
    return _CONTRAST_OPENING.match(sentence) is not None
