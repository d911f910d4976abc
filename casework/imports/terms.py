"""How a spreadsheet names the format's columns and the terms of a vocabulary: codes,
labels, Russian words.

Its columns: by the format's own names, or by a header a register kept in English, Russian or
Kazakh gives them (``Full name``, ``ФИО``, ``Дата задержания``, ``Аты-жөні``): each header
below is that column, as ``person_name`` is (compared as ``reading.header_key`` compares
headers). A mapping still names any other.

Legacy spreadsheets were typed by hand, often on a Russian-locale machine: a column holds
``asylum seeker`` or ``Asylum-seeker`` for the code ``asylum_seeker``, the label the
interface shows (``Forcible return``, ``Экстрадиция``), or a word of the trade in Russian
(``беженец``, ``срочно``) or in Kazakh (``босқын``, ``ұстап беру``, also in Latin letters). Each is read as the term it names. What names no term, or names two,
is left as written, for the validator to reject with its own message.
"""

from __future__ import annotations

import re
from functools import cache

from babel.support import Translations

from casework.core.i18n import TRANSLATIONS_DIR
from casework.core.vocab import ActType, ConsentLevel, LegalStatus, Situation, Urgency, Vocab
from casework.imports.reading import header_key

# The headers a register gives each column of the format (its own name aside). Only headers
# that name one column whatever the register: not "№" (a row's number, which as a case key
# would make a second file "already imported"), "Вид" or "Тип" (of what?), nor "Страна",
# "Статус", "Дата", "Место" or "Город" and their English words (the country of origin or of
# return? legal status or the case's? which day, which place?): a wrong guess would file every
# row's value under another field without a word, so those columns are mapped by hand.
_HEADERS: dict[str, tuple[str, ...]] = {
    "case_key": (
        "case id", "case number", "case no", "case no.", "case ref", "case reference",
        "№ дела", "номер дела", "дело №", "код дела", "шифр дела", "іс нөмірі",
    ),
    "person_name": (
        "name", "full name", "person", "фио", "ф.и.о.", "ф.и.о", "ф. и. о.", "полное имя",
        "фамилия имя отчество", "фамилия, имя, отчество", "фамилия и имя", "имя и фамилия",
        "аты жөні", "толық аты жөні",
    ),
    "other_names": (
        "aliases", "alias", "also known as", "aka", "other spellings", "другие имена",
        "другие написания", "иные имена", "псевдонимы", "варианты имени",
    ),
    "gender": ("sex", "пол", "жынысы"),
    "birth_date": (
        "date of birth", "dob", "d.o.b.", "born", "year of birth", "дата рождения",
        "год рождения", "г.р.", "г. р.", "туған күні", "туған жылы",
    ),
    "nationality": (
        "citizenship", "country of origin", "country of citizenship", "гражданство",
        "страна гражданства", "страна происхождения", "азаматтығы", "азаматтық",
    ),
    "ethnicity": (
        "ethnic group", "ethnic origin", "национальность", "этническая принадлежность",
        "этнос", "ұлты",
    ),
    "legal_status": (
        "refugee status", "legal status", "правовой статус", "статус беженца",
        "миграционный статус", "мәртебесі",
    ),
    "unhcr_number": (
        "unhcr", "unhcr no", "unhcr no.", "unhcr id", "unhcr file", "номер увкб", "№ увкб",
        "увкб", "номер дела увкб", "регистрационный номер увкб",
    ),
    "act_type": (
        "type of act", "violation", "incident type", "вид нарушения", "тип нарушения",
        "вид выдворения", "вид случая", "тип случая", "форма выдворения",
    ),
    "act_date": (
        "date of act", "incident date", "date of detention", "date of removal",
        "дата задержания", "дата выдворения", "дата выдачи", "дата экстрадиции",
        "дата депортации", "дата похищения", "дата события", "дата инцидента", "ұсталған күні",
    ),
    "act_place": (
        "place of detention", "place of abduction", "место задержания",
        "место события", "место похищения", "ұсталған жері",
    ),
    "destination_country": (
        "destination", "returned to", "country of return", "страна назначения",
        "страна выдачи", "страна возвращения", "страна выдворения", "куда выдворен",
        "куда выдан",
    ),
    "perpetrators": (
        "perpetrator", "agency", "agencies", "исполнители", "исполнитель", "органы",
        "задержавший орган", "кто задержал", "ведомство",
    ),
    "current_situation": (
        "situation", "current status", "whereabouts", "текущее положение", "текущая ситуация",
        "положение", "текущий статус", "состояние", "местонахождение",
    ),
    "after_return": (
        "after removal", "fate", "после возвращения", "после выдворения",
        "судьба после выдворения", "судьба",
    ),
    "narrative": (
        "description", "details", "summary", "story", "circumstances", "описание",
        "обстоятельства", "фабула", "описание случая", "что произошло", "сипаттама",
    ),
    "sources": ("source", "источник", "источники", "кто сообщил", "дереккөз"),
    "consent": ("согласие", "согласие на публикацию", "келісім"),
    "urgency": ("priority", "срочность", "приоритет"),
    "legal_grounds": (
        "provisions", "legal basis", "правовые основания", "нормы", "статьи",
    ),
    "consent_date": ("date of consent", "дата согласия"),
    "authorisation": ("authorization",),
    "authorised_on": ("authorized on",),
    "authorised_by": ("authorized by", "кто уполномочил"),
    "authorisation_note": ("authorization note",),
    "other_procedures": (
        "other international procedures", "другие международные процедуры",
    ),
    "other_procedures_details": ("other procedures details",),
}  # fmt: skip
# The parts of a name that registers keep in columns of their own: surname, given name,
# patronymic. Several in a file are one name, in the order of the file's columns; one alone
# ("Имя") is the name.
NAME_PARTS: frozenset[str] = frozenset(
    header_key(h)
    for h in (
        "surname", "last name", "family name", "first name", "given name", "given names",
        "middle name", "patronymic", "фамилия", "имя", "отчество", "тегі", "аты",
        "әкесінің аты",
    )
)  # fmt: skip


# The headers of a column of the rows' own numbers (1, 2, 3...), which holds nothing to import.
ROW_NUMBERS: frozenset[str] = frozenset(
    header_key(h) for h in ("№", "№ п/п", "п/п", "№№", "no", "no.", "nr", "#", "n", "row", "р/с")
)


@cache
def column_headers() -> dict[str, str]:
    """The headers (``header_key``) a register gives the format's columns: header -> column."""
    return {header_key(h): column for column, hs in _HEADERS.items() for h in hs}


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


# Words a register kept in Kazakh uses for the same terms (its legal words: "ұстап беру" for
# extradition, "әкімшілік жолмен шығарып жіберу" for administrative expulsion, "адам ұрлау"
# for abduction), in Cyrillic; each is also known in the Latin alphabet of 2021 (``_latin``).
_KAZAKH: dict[type[Vocab], dict[str, str]] = {
    ActType: {
        "ұстап беру": "extradition", "экстрадициялау": "extradition",
        "адам ұрлау": "abduction", "адамды ұрлау": "abduction", "ұрлау": "abduction",
        "ұрлап әкету": "abduction", "депортациялау": "deportation",
        "мәжбүрлеп қайтару": "forcible_return", "шығарып жіберу": "expulsion",
        "әкімшілік жолмен шығарып жіберу": "expulsion",
        "экстрадициялық қамауға алу": "detention_pending_removal",
    },
    LegalStatus: {
        "пана іздеуші": "asylum_seeker", "баспана іздеуші": "asylum_seeker", "босқын": "refugee",
        "азаматтығы жоқ": "stateless", "азаматтығы жоқ адам": "stateless",
        "құжатсыз": "undocumented", "белгісіз": "unknown",
    },
    Situation: {
        "бостандықта": "at_liberty", "босатылды": "at_liberty", "қамауда": "detained",
        "ұсталды": "detained", "ұсталған": "detained", "қамауға алынды": "detained",
        "ұстап берілді": "removed", "депортацияланды": "removed", "қайтарылды": "removed",
        "шығарып жіберілді": "removed", "хабарсыз кетті": "disappeared",
        "жоғалып кетті": "disappeared", "қайтыс болды": "deceased", "қаза тапты": "deceased",
        "белгісіз": "unknown",
    },
    Urgency: {"шұғыл": "urgent", "әдеттегі": "routine"},
    ConsentLevel: {"жоқ": "none", "келісім жоқ": "none", "келісімсіз": "none"},
}  # fmt: skip
# Kazakh's Latin alphabet of 2021, letter by letter; and as it is typed without its marks.
_LATIN = str.maketrans(
    {
        "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e",
        "ё": "io", "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l",
        "м": "m", "н": "n", "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts",
        "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "", "ы": "y", "і": "ı", "ь": "", "э": "e",
        "ю": "iu", "я": "ia",
    }
)  # fmt: skip
_UNMARKED = str.maketrans(
    {"ä": "a", "ğ": "g", "ñ": "n", "ö": "o", "ū": "u", "ü": "u", "ş": "sh", "ı": "i"}
)


def _latin(word: str) -> list[str]:
    """A Kazakh word in the Latin alphabet of 2021, and so typed without its marks."""
    latin = word.translate(_LATIN)
    return [latin, latin.translate(_UNMARKED)]


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
    words += [
        (text, code)
        for word, code in _KAZAKH.get(vocab, {}).items()
        for text in (word, *_latin(word))
    ]
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
