"""How a spreadsheet names the terms of a vocabulary: codes, labels, Russian words.

Legacy spreadsheets were typed by hand, often on a Russian-locale machine: a column holds
``asylum seeker`` or ``Asylum-seeker`` for the code ``asylum_seeker``, the label the
interface shows (``Forcible return``, ``Экстрадиция``), or a word of the trade in Russian
(``беженец``, ``срочно``). Each is read as the term it names. What names no term, or names two,
is left as written, for the validator to reject with its own message.
"""

from __future__ import annotations

import re
from functools import cache

from babel.support import Translations

from casework.core.i18n import TRANSLATIONS_DIR
from casework.core.vocab import ActType, ConsentLevel, LegalStatus, Situation, Urgency, Vocab

# Words a Russian-locale spreadsheet uses that are not the interface's own labels.
_RUSSIAN: dict[type[Vocab], dict[str, str]] = {
    ActType: {
        "похищение": "abduction", "выдача": "extradition", "экстрадиция": "extradition",
        "депортация": "deportation", "принудительное возвращение": "forcible_return",
        "принудительный возврат": "forcible_return", "выдворение": "expulsion",
        "административное выдворение": "expulsion", "попытка выдворения": "attempted_removal",
        "попытка высылки": "attempted_removal", "экстрадиционный арест": "detention_pending_removal",
        "задержание с целью экстрадиции": "detention_pending_removal",
        "отказ во въезде": "border_rejection",
    },
    LegalStatus: {
        "соискатель убежища": "asylum_seeker", "ищущий убежища": "asylum_seeker",
        "беженец": "refugee", "беженка": "refugee", "мандатный беженец": "mandate_refugee",
        "отказано": "rejected", "отказ": "rejected", "без документов": "undocumented",
        "апатрид": "stateless", "лицо без гражданства": "stateless", "неизвестно": "unknown",
    },
    Situation: {
        "на свободе": "at_liberty", "освобожден": "at_liberty", "освобождена": "at_liberty", "задержан": "detained", "задержана": "detained",
        "под стражей": "detained", "выдворен": "removed", "выдворена": "removed",
        "выслан": "removed", "выслана": "removed", "выдан": "removed", "выдана": "removed",
        "исчез": "disappeared", "исчезла": "disappeared", "пропал без вести": "disappeared",
        "пропала без вести": "disappeared", "переселен": "resettled", "переселена": "resettled",
        "умер": "deceased", "умерла": "deceased", "погиб": "deceased", "погибла": "deceased",
        "неизвестно": "unknown",
    },
    Urgency: {
        "обычно": "routine", "обычный": "routine", "обычная": "routine", "срочно": "urgent",
        "срочный": "urgent", "срочная": "urgent", "неминуемо": "imminent",
        "неминуемая": "imminent", "крайне срочно": "imminent",
    },
    ConsentLevel: {
        "нет": "none", "без согласия": "none", "anonymized": "anonymised",
        "внутреннее": "internal", "анонимно": "anonymised", "с именем": "named",
    },
}  # fmt: skip


def _plain(text: str) -> str:
    """``text`` as compared: case folded, ё as е, hyphens and underscores as spaces, one space
    between words, no surrounding quotes or full stop."""
    text = text.casefold().replace("ё", "е").replace("_", " ").replace("-", " ")
    return " ".join(text.split()).strip(" \"'«».")


def _heads(label: str) -> list[str]:
    """The short forms of a label: "Refugee (recognised by the State)" → "Refugee";
    "Abduction / rendition" → "Abduction", "rendition"; "None: nothing ..." → "None"."""
    head = re.split(r"[(:]", label, maxsplit=1)[0]
    return [part for part in head.split("/") if part.strip()]


@cache
def _names(vocab: type[Vocab]) -> dict[str, str]:
    russian = Translations.load(str(TRANSLATIONS_DIR), ["ru"])
    names: dict[str, str] = {}
    ambiguous: set[str] = set()
    # The codes first: no label or word may take a code another term is known by.
    for member in vocab:
        names[_plain(member.value)] = member.value
    words: list[tuple[str, str]] = []
    for member in vocab:
        labels = [member.label_en, russian.ugettext(member.label_en)]
        words += [(text, member.value) for label in labels for text in [label, *_heads(label)]]
    words += list(_RUSSIAN.get(vocab, {}).items())
    for text, code in words:
        key = _plain(text)
        if not key or names.get(key, code) == code:
            names.setdefault(key, code)
        elif key not in {_plain(m.value) for m in vocab}:
            ambiguous.add(key)
    for key in ambiguous:
        names.pop(key, None)
    return names


def vocab_code(vocab: type[Vocab], text: str) -> str:
    """The code of the term of ``vocab`` that ``text`` names, else ``text`` as written."""
    return _names(vocab).get(_plain(text), text.strip())
