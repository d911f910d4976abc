"""Countries (ISO 3166-1 alpha-2), with English names and lookup by English or Russian name."""

from __future__ import annotations

import gettext
from functools import cache, lru_cache

import pycountry

# Countries that matter most in this domain come first in select lists.
PRIORITY = ("KZ", "UZ", "CN", "KG", "TJ", "TM", "RU", "TR", "AF")


@cache
def _russian() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    except OSError:
        return gettext.NullTranslations()


def name(code: str | None) -> str:
    """English name of a country code ('' for None, the code itself if unknown)."""
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=1024)
def local_name(code: str | None, language: str) -> str:
    """The country's name in ``language`` ("en" or "ru"; the English name if none is known).
    Remembered: a list names the same few countries row after row."""
    english = name(code)
    if not code or language != "ru":
        return english
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return english
    translated = _russian().gettext(country.name)
    return translated if translated != country.name else english


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    ru = _russian()
    for country in pycountry.countries:
        code = country.alpha_2
        names = {
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        }
        names |= {ru.gettext(n) for n in list(names) if n}
        for n in names:
            if n:
                index[n.casefold().translate(_APOSTROPHES)] = code
        index[code.casefold()] = code
        index[country.alpha_3.casefold()] = code
    # Names people actually write.
    index.update(
        {
            "kirgizia": "KG",
            "kirghizia": "KG",
            "киргизия": "KG",
            "china": "CN",
            "кнр": "CN",
            "russia": "RU",
            "россия": "RU",
            "рф": "RU",
            "кыргызстан": "KG",
            "таджикистан": "TJ",
            "туркмения": "TM",
            "turkey": "TR",
            "prc": "CN",
            # In the region's own languages, as they are written in Latin and Cyrillic.
            "o'zbekiston": "UZ",
            "ozbekiston": "UZ",
            "ўзбекистон": "UZ",
            "qazaqstan": "KZ",
            "қазақстан": "KZ",
            "kyrgyzstan respublikasy": "KG",
            "кыргыз республикасы": "KG",
            "tojikiston": "TJ",
            "тоҷикистон": "TJ",
            "türkmenistan": "TM",
            # Official Russian names pycountry lacks, and common spellings of the region's
            # names in Latin script.
            "кыргызская республика": "KG",
            "киргизская республика": "KG",
            "kirgizstan": "KG",
            "kirghizstan": "KG",
            "qirg'iziston": "KG",
            "tadjikistan": "TJ",
            "tadzhikistan": "TJ",
            "тожикистон": "TJ",
            "uzbekiston": "UZ",
            "o'zbekiston respublikasi": "UZ",
            "ўзбекистон республикаси": "UZ",
            "qozog'iston": "KZ",
            "қозоғистон": "KZ",
            "xitoy": "CN",
            "хитой": "CN",
            # In Kazakh, as a register kept in Kazakh names them.
            "өзбекстан": "UZ",
            "қытай": "CN",
            "қырғызстан": "KG",
            "тәжікстан": "TJ",
            "түрікменстан": "TM",
            "ресей": "RU",
            "түркия": "TR",
            "ауғанстан": "AF",
            "turkmenia": "TM",
            "белоруссия": "BY",
            "молдова": "MD",
            # Short names in everyday use.
            "киргизстан": "KG",
            "kazakstan": "KZ",
            "руз": "UZ",
            "сша": "US",
            "великобритания": "GB",
            "uk": "GB",
            "оаэ": "AE",
            "uae": "AE",
        }
    )
    return {_folded(name): code for name, code in index.items()}


def _folded(name: str) -> str:
    # Russian is usually typed with "е" for "ё" ("Соединенные Штаты").
    return name.replace("ё", "е")


# Uzbek Latin writes its apostrophe (o', g') many ways: ʻ (the official one), ’, ‘, `, ʼ.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u02bb\u02bc\u2018\u2019`", "'"))


def lookup(text: str | None) -> str | None:
    """The alpha-2 code for a code or an English or Russian name, or None if not recognised."""
    if not text:
        return None
    return _index().get(_folded(" ".join(text.split()).casefold().translate(_APOSTROPHES)))


@cache
def select_choices() -> list[tuple[str, str]]:
    """(code, name) pairs: the region's countries first, then all others by name."""
    rest = sorted(
        ((c.alpha_2, name(c.alpha_2)) for c in pycountry.countries if c.alpha_2 not in PRIORITY),
        key=lambda pair: pair[1],
    )
    return [(code, name(code)) for code in PRIORITY] + rest
