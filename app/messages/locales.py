"""Languages: negotiation (explicit locale, then Accept-Language), dates, time words.

Babel formats dates and lists; the "how long since the interview" phrase is written
here per language, as a person would write it (followup-rules.md, "Messages":
weeks where over 10 days). The built-in messages are in SUPPORTED_LOCALES; a
tenant's template may be in any language Babel can write dates, lists and
durations in (`knows_language`), and gets Babel's own duration words there.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.units import format_unit

SUPPORTED_LOCALES: tuple[str, ...] = ("en", "de", "fr", "es")
DEFAULT_LOCALE = "en"
_MAX_ACCEPT_LANGUAGE = 4096


#: Language codes ISO 639 withdrew, still sent by older software (Java wrote `iw`, `in`,
#: `ji`), and Norwegian's macrolanguage `no`, each with the code of the same language
#: today. Babel reads them so too: `Locale.parse("iw")` is he_IL, and LOCALE_ALIASES
#: gives `no` as nb_NO (Bokmål). `sh` (Serbo-Croatian) is left alone: it has no one
#: successor. Migration a9e3c5d7f1b2 renamed the stored templates with these codes.
LEGACY_LANGUAGES: dict[str, str] = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "no": "nb"}


def canonical_language(code: str) -> str:
    """The current code of a lowercased primary language code: "iw" is "he", "no" "nb".

    The one place a language gets its name, so that a template stored for `iw` is the one
    a request for `he` finds, and `he` and `iw` cannot be two templates of one kind.
    """
    return LEGACY_LANGUAGES.get(code, code)


def primary_language(tag: str) -> str:
    """The primary language subtag, lowercased and current: "de-CH" and "de_ch" are "de", "iw-IL" is "he"."""
    return canonical_language(tag.strip().replace("_", "-").split("-", 1)[0].lower())


def asked_languages(locale: str | None, accept_language: str | None) -> list[str]:
    """The primary languages the reader asked for, best first: an explicit `locale`,
    else every Accept-Language range (`*` asks for none in particular)."""
    asked = [locale] if locale and locale.strip() else parse_accept_language(accept_language or "")
    return [primary_language(tag) for tag in asked if tag and tag != "*"]


def parse_accept_language(header: str) -> list[str]:
    """Language ranges of an Accept-Language header, best first (q=0 dropped)."""
    ranges = [(-quality, index, tag) for quality, index, tag in _ranges(header) if 0.0 < quality <= 1.0]
    return [tag for _, _, tag in sorted(ranges)]


def _ranges(header: str) -> list[tuple[float, int, str]]:
    """(quality, position, range) of each named range; -1.0 for a quality that is not a number."""
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:_MAX_ACCEPT_LANGUAGE].split(",")):
        tag, _, params = part.partition(";")
        tag = tag.strip()
        if not tag:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = -1.0
        ranges.append((quality, index, tag))
    return ranges


def negotiate_locale(locale: str | None, accept_language: str | None) -> tuple[str, str | None]:
    """Pick the message language: explicit `locale`, else Accept-Language, else en.

    Returns `(locale, fallback_note)`; the note is None unless a language was asked
    for that we do not write (the caller turns it into a `locale_fallback` warning).
    """
    if locale is not None and locale.strip():
        primary = primary_language(locale)
        if primary in SUPPORTED_LOCALES:
            return primary, None
        return DEFAULT_LOCALE, f"Messages are not available in '{locale.strip()[:35]}'; using English."
    if accept_language and accept_language.strip():
        tags = parse_accept_language(accept_language)
        for tag in tags:
            if tag == "*":
                return DEFAULT_LOCALE, None
            primary = primary_language(tag)
            if primary in SUPPORTED_LOCALES:
                return primary, None
        # Also when every range was refused (`en;q=0, de;q=0`): English is given anyway. Not
        # when none was named validly (`de;q=abc`, `,`): nothing was refused, and German is written.
        if tags or any(quality == 0.0 for quality, _, _ in _ranges(accept_language)):
            return DEFAULT_LOCALE, "None of the languages in Accept-Language is available; using English."
    return DEFAULT_LOCALE, None


@lru_cache(maxsize=64)
def babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


@lru_cache(maxsize=512)
def knows_language(tag: str) -> bool:
    """Whether Babel can write a date, a list and a duration in this primary language tag.

    A tenant template is written in one language, and the values it is given
    must be in that language too: "grazie per il colloquio del 3 marzo 2025",
    never "del March 3, 2025".
    """
    try:
        locale = babel_locale(tag)
        format_unit(2, "duration-week", length="long", locale=locale)
        format_list(["a", "b"], style="standard", locale=locale)
    except (UnknownLocaleError, ValueError, KeyError):
        return False
    return True


@lru_cache(maxsize=4096)
def long_date(day: date, locale: str) -> str:
    """'March 3, 2025' / '3. März 2025' / '3 mars 2025' / '3 de marzo de 2025'.

    French writes the first of the month as an ordinal ('le 1er mars'), which
    Babel's long format does not.
    """
    written = format_date(day, format="long", locale=babel_locale(locale))
    if day.day == 1 and primary_language(locale) == "fr" and written.startswith("1 "):
        written = "1er" + written[1:]
    return written


#: Spanish 'y' becomes 'e' before a word that starts with an /i/ sound ('i', 'hi', but
#: not 'hie', 'hia', ...: 'SQL e ingeniería', 'agua y hielo').
_SPANISH_I_SOUND = re.compile(r"^[hH]?[iíIÍ](?![aeoáéóAEOÁÉÓ])")


def join_phrase(items: list[str] | tuple[str, ...], locale: str) -> str:
    """'A, B, and C' in the locale's list style."""
    joined = format_list(list(items), style="standard", locale=babel_locale(locale))
    if len(items) > 1 and primary_language(locale) == "es" and _SPANISH_I_SOUND.match(items[-1]):
        head = joined[: len(joined) - len(items[-1])]
        if head.endswith(" y "):
            joined = head[:-2] + "e " + items[-1]
    return joined


#: French elides "de" before a vowel: "le poste d'ingénieur", "d'Architecte". Not before an
#: h: whether it is aspirated is a matter of the word ("de Head of Data", "de huissier" is
#: wrong, "d'huissier" right), and an unelided "de" reads as a slip, a wrong "d'" as a mistake.
_FRENCH_VOWEL = re.compile(r"^[aeiouàâäéèêëîïôöùûüæœAEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜÆŒ]")


def french_de(word: str) -> str:
    """French "de" before `word`, elided before a vowel: "de Data Engineer", "d'Ingénieur"."""
    return f"d'{word}" if _FRENCH_VOWEL.match(word) else f"de {word}"


# Number words up to twelve; larger numbers are written as digits.
_NUMBERS = {
    "en": ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
    "de": ("", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf"),
    "fr": ("", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze"),
    "es": ("", "un", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce"),
}

# Per language: the phrase for 0 days, 1 day, n days, 1 week, n weeks, and the
# "more than" / "almost" wrappers ({} is a week phrase). German phrases are
# accusative/nominative forms that fit "... ist nun X her".
_PHRASES = {
    "en": {
        "zero": "less than a day", "day": "a day", "days": "{n} days",
        "week": "a week", "weeks": "{n} weeks", "over": "over {}", "almost": "almost {}",
    },
    "de": {
        "zero": "weniger als einen Tag", "day": "einen Tag", "days": "{n} Tage",
        "week": "eine Woche", "weeks": "{n} Wochen", "over": "über {}", "almost": "fast {}",
    },
    "fr": {
        "zero": "moins d'un jour", "day": "un jour", "days": "{n} jours",
        "week": "une semaine", "weeks": "{n} semaines", "over": "plus de {}", "almost": "près de {}",
    },
    "es": {
        "zero": "menos de un día", "day": "un día", "days": "{n} días",
        "week": "una semana", "weeks": "{n} semanas", "over": "más de {}", "almost": "casi {}",
    },
}


def _number(n: int, locale: str) -> str:
    words = _NUMBERS[locale]
    return words[n] if 0 < n < len(words) else str(n)


def _weeks(n: int, locale: str) -> str:
    phrases = _PHRASES[locale]
    return phrases["week"] if n == 1 else phrases["weeks"].format(n=_number(n, locale))


def time_since(days: int, locale: str) -> str:
    """How long since the interview, in words: days up to ten, then weeks.

    Weeks are rounded as a person would: 14-15 days "two weeks", 16-18 "over two
    weeks", 19-20 "almost three weeks"; 11 days "over a week".
    """
    phrases = _PHRASES.get(locale)
    if phrases is None:
        return _babel_time_since(days, locale)
    if days <= 0:
        return phrases["zero"]
    if days == 1:
        return phrases["day"]
    if days <= 10:
        return phrases["days"].format(n=_number(days, locale))
    weeks, rest = divmod(days, 7)
    if rest <= 1:
        return _weeks(weeks, locale)
    if rest <= 4:
        over = phrases["over"].format(_weeks(weeks, locale))
        return over.replace("de une", "d'une")  # fr: "plus d'une semaine"
    return phrases["almost"].format(_weeks(weeks + 1, locale))


def _babel_time_since(days: int, locale: str) -> str:
    """A tenant template's language without phrases here: Babel's words, days up to ten, then whole weeks.

    Whole weeks are counted down, never rounded up: 11 to 13 days are "1 week",
    as the wait must not be overstated (Babel has no "over"/"almost" to say more).
    """
    if days <= 10:
        return format_unit(max(days, 0), "duration-day", length="long", locale=babel_locale(locale))
    return format_unit(days // 7, "duration-week", length="long", locale=babel_locale(locale))
