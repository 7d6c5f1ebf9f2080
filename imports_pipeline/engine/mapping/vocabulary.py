"""Business-export header words in six languages, reduced to one English concept each.

Customer files name the same column "Fecha de vencimiento", "Fälligkeit", "Date d'échéance",
"Data scadenza" or "NETDT"; templates name it "Due date". Fuzzy string scores cannot see that
these are the same, so both sides are first rewritten into canonical English words (phrases
first, then words, then German compounds split into known halves) and compared afterwards.
The lists are general vocabulary of invoicing, ordering, HR, banking, logistics and utility
exports (en, es, fr, de, pt, it) plus common SAP field names, not the headers of one file.
"""

from __future__ import annotations

import re
from functools import lru_cache

from imports_pipeline.engine.mapping.domain_words import ABBREVIATIONS, SECOND_SENSES
from imports_pipeline.engine.mapping.header_words import PHRASES, SAP_FIELDS, WORDS
from imports_pipeline.engine.normalize import normalize_label


def _inverted() -> tuple[dict[str, str], list[tuple[str, re.Pattern[str], str]]]:
    """Word → concept, and (phrase, its pattern, concept) longest first. A phrase is also matched
    as headers are normalised before it is looked for: "etiqueta de activo" arrives as "etiqueta
    activo"."""
    words: dict[str, str] = {}
    for canonical, spellings in WORDS.items():
        for spelling in spellings:
            words.setdefault(spelling, canonical)
    phrases = [
        (form, canonical)
        for canonical, spellings in PHRASES.items()
        for spelling in spellings
        for form in dict.fromkeys((spelling, normalize_label(spelling)))
    ]
    phrases.sort(key=lambda pair: -len(pair[0]))
    patterns = [(s, re.compile(rf"\b{re.escape(s)}\b"), c) for s, c in phrases]
    return words, patterns


def with_phrases(text: str) -> str:
    """``text`` with every known phrase in it replaced by its concept, longest first. Only the
    phrases that start with one of the text's words are tried (``PHRASES_BY_FIRST_WORD``): a
    phrase is plain lower-case words, so where ``\\b<phrase>\\b`` matches, its first word is a
    whole word of the text. Looping over all 525 phrases was 40 µs a label, a tenth of a
    suggestion for a file of new headers."""
    tried = -1
    while True:
        words = set(_WORD.findall(text))
        candidates = sorted(
            i for word in words for i in PHRASES_BY_FIRST_WORD.get(word, ()) if i > tried
        )
        for i in candidates:
            phrase, pattern, canonical = PHRASE_PATTERNS[i]
            tried = i
            if phrase in text:
                replaced = pattern.sub(f" {canonical} ", text)
                if replaced != text:
                    text = replaced
                    break  # new words may start later phrases
        else:
            return text


WORD_CONCEPT, PHRASE_PATTERNS = _inverted()
_WORD = re.compile(r"\w+")
PHRASES_BY_FIRST_WORD: dict[str, list[int]] = {}
"""Positions in ``PHRASE_PATTERNS`` (longest first) of the phrases starting with each word."""
for _position, (_phrase, *_) in enumerate(PHRASE_PATTERNS):
    if not re.fullmatch(r"[a-z0-9]+( [a-z0-9]+)*", _phrase):
        raise ValueError(f"phrase {_phrase!r} is not plain lower-case words")
    PHRASES_BY_FIRST_WORD.setdefault(_phrase.split()[0], []).append(_position)
ABBREVIATION_CONCEPT = {
    spelling: concept for concept, spellings in ABBREVIATIONS.items() for spelling in spellings
}
_CHECK_IN = re.compile(r"\b(check(?:ed)?)[\s_-]*in\b", re.IGNORECASE)
""""Check-in" is one word: "in" alone is a filler word normalisation drops."""
# fmt: off
STOPWORDS = frozenset(
    {"du", "des", "le", "les", "d", "l", "der", "die", "das", "dem", "den", "di", "da", "do",
     "dos", "e", "y", "et", "und", "per", "por", "pour", "au", "aux", "a", "of", "the", "for",
     "s", "im", "zum", "zur", "del", "della", "dello", "degli", "em", "na", "period", "default",
     "am", "on", "at", "current", "actual", "actuales", "actuel", "actuelle", "aktuell",
     "aktueller", "attuale", "atual", "next", "proxima", "proximo", "prochain", "prochaine",
     "nachste", "naechste", "prossimo", "prossima"}
)
# fmt: on
"""Filler words of the six languages, dropped after phrases are matched."""
MIN_COMPOUND_PART = 3
ADDRESS_PARTS = frozenset({"city", "postcode", "country", "company", "phone", "street", "name"})
"""What an address holds: "Default Address Company" (Shopify) is the company, not the street."""
PLURALS: tuple[tuple[str, str], ...] = (
    ("es", ""),
    ("s", ""),
    ("i", "o"),
    ("i", "e"),
    ("e", "a"),
    ("en", ""),
    ("n", ""),
)
"""Plural and inflection endings tried when a word is unknown: English/Spanish -s/-es, Italian
-i/-e, German -en/-n ("Bagni" → "bagno", "Kunden" → "kunde")."""


def _split_compound(token: str) -> str | None:
    """German-style compounds: "belegdatum" → "document date", "steuerbetrag" → "tax amount"."""
    for cut in range(MIN_COMPOUND_PART, len(token) - MIN_COMPOUND_PART + 1):
        head, tail = token[:cut], token[cut:]
        head_word = WORD_CONCEPT.get(head) or WORD_CONCEPT.get(head.rstrip("s"))
        tail_word = WORD_CONCEPT.get(tail) or _split_compound_tail(tail)
        if head_word and tail_word:
            return f"{head_word} {tail_word}"
    return None


def _code_like(text: str) -> bool:
    """A name written as a program writes it (INVNO, CRT_DT, lead_src), not as a person
    writes a word: only those are split into glued abbreviations, so "Notebook" stays one."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    shouted = not any(c.islower() for c in letters)
    snake = "_" in text and not any(c.isupper() for c in letters)
    return shouted or snake


MIN_GLUED = 4
MAX_GLUED_PARTS = 3


@lru_cache(maxsize=65536)
def _glued(token: str) -> str | None:
    """Glued abbreviations of legacy and database names, split into the fewest known words
    (at most three, each a known spelling of two letters or more): "invdt" → "invoice date",
    "fecvto" → "date due", "mtttc" → "amount total", "dtnasc" → "date birth"."""
    best: list[list[str] | None] = [[]] + [None] * len(token)
    for end in range(2, len(token) + 1):
        for start in range(max(0, end - 12), end - 1):
            head, part = best[start], token[start:end]
            concept = WORD_CONCEPT.get(part) or ABBREVIATION_CONCEPT.get(part)
            if head is None or concept is None:
                continue
            if best[end] is None or len(head) + 1 < len(best[end] or ()):
                best[end] = [*head, concept]
    found = best[len(token)]
    if not found or len(found) < 2 or len(found) > MAX_GLUED_PARTS:
        return None
    return " ".join(found)


def _split_compound_tail(tail: str) -> str | None:
    return WORD_CONCEPT.get(tail[1:]) if tail.startswith("s") else None


def _inflected(token: str) -> str | None:
    """The concept of an inflected form, tried ending by ending on words long enough."""
    for ending, base in PLURALS:
        if token.endswith(ending) and len(token) - len(ending) >= MIN_COMPOUND_PART:
            word = WORD_CONCEPT.get(token[: len(token) - len(ending)] + base)
            if word is not None:
                return word
    return None


def _numbered(token: str) -> str | None:
    """A known word with a counter glued on, as repeated fields are named ("course1", "role2")."""
    word = token.rstrip("0123456789")
    return WORD_CONCEPT.get(word) if word != token and len(word) >= MIN_COMPOUND_PART else None


@lru_cache(maxsize=65536)
def canonical_label(text: str) -> str:
    """The header in canonical English words; unknown words are kept as they are."""
    base = normalize_label(_CHECK_IN.sub(r"\1in", text.replace("#", " number ")))
    sap = SAP_FIELDS.get(base)
    if sap is not None:
        return sap
    base = with_phrases(base)
    code_like = _code_like(text)
    out: list[str] = []
    for token in base.split():
        if token in STOPWORDS:
            continue
        if token in PHRASES or token in WORDS:
            out.append(token)
            continue
        word = WORD_CONCEPT.get(token) or _inflected(token) or _numbered(token)
        if word is None and len(token) >= 2 * MIN_COMPOUND_PART:
            word = _split_compound(token)
        if word is None and code_like:
            word = ABBREVIATION_CONCEPT.get(token)
            if word is None and len(token) >= MIN_GLUED:
                word = _glued(token)
        out.append(word if word is not None else token)
    joined = with_phrases(" ".join(out))
    words = list(dict.fromkeys(joined.split()))
    if "address" in words and ADDRESS_PARTS & set(words):
        words.remove("address")
    if "id" in words and {"taxid", "iban"} & set(words):
        words.remove("id")
    return " ".join(words)


@lru_cache(maxsize=65536)
def second_senses(text: str) -> tuple[str, ...]:
    """The header read again with each word of two senses (``SECOND_SENSES``) in its other
    one: "Matrícula" → "plate", "Buchungsnummer" → "confirmation id". Empty for most headers."""
    tokens = normalize_label(text.replace("#", " number ")).split()
    readings = [
        canonical_label(" ".join([*tokens[:i], sense, *tokens[i + 1 :]]))
        for i, token in enumerate(tokens)
        for sense in SECOND_SENSES.get(token, ())
    ]
    plain = canonical_label(text)
    words = plain.split()
    readings += [
        " ".join([*words[:i], sense, *words[i + 1 :]])
        for i, word in enumerate(words)
        for sense in SECOND_SENSES.get(word, ())
    ]
    return tuple(r for r in dict.fromkeys(readings) if r and r != plain)


# fmt: off
COGNATE_ENDINGS: tuple[tuple[str, str], ...] = (
    ("zione", "tion"), ("sione", "tion"), ("tione", "tion"), ("cion", "tion"), ("sion", "tion"),
    ("cao", "tion"), ("sao", "tion"), ("tion", "tion"),
    ("idade", "ity"), ("itat", "ity"), ("idad", "ity"), ("ita", "ity"), ("ite", "ity"),
    ("dad", "ity"), ("ity", "ity"),
    ("mento", "ment"), ("miento", "ment"), ("ment", "ment"),
    ("ique", "ic"), ("isch", "ic"), ("ico", "ic"), ("ica", "ic"),
    ("aire", "ary"), ("ario", "ary"), ("aria", "ary"), ("ary", "ary"),
    ("ismo", "ism"), ("isme", "ism"), ("ismus", "ism"),
    ("ia", "y"), ("ie", "y"),
)
# fmt: on
"""Endings that Latin-rooted business words take in the six languages ("Prioridad", "Priorité",
"Priorità", "Prioridade", "Priorität", "Priority"), each brought to one spelling."""
_DOUBLE = re.compile(r"(.)\1")
KNOWN_WORDS = frozenset(
    word for name in (*WORDS, *PHRASES, *SAP_FIELDS.values()) for word in name.split()
)
"""Every word a canonical label can be made of; other words in one were not recognised."""


def _cognate(word: str) -> str:
    """A word's spelling-neutral root: plural dropped, ending unified, k/y/z/ph spelled alike,
    doubled letters single."""
    if word in KNOWN_WORDS or len(word) < 2 * MIN_COMPOUND_PART - 1:
        return word
    if word.endswith("s") and len(word) > 2 * MIN_COMPOUND_PART:
        word = word[:-1]
    for ending, unified in COGNATE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_COMPOUND_PART:
            word = word[: len(word) - len(ending)] + unified
            break
    word = word.replace("ph", "f").replace("th", "t").translate(_LETTERS)
    return _DOUBLE.sub(r"\1", word)


_LETTERS = str.maketrans({"k": "c", "y": "i", "z": "s", "w": "v"})


@lru_cache(maxsize=65536)
def cognate_label(text: str) -> str:
    """The canonical label with every word the vocabulary does not know reduced to its
    cognate root, so "Priorität" and "Prioridad" meet "Priority" where no word list has them."""
    return " ".join(_cognate(word) for word in canonical_label(text).split())
