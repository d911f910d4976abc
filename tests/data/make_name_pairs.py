"""Build ``name_pairs.csv``: labelled pairs of names (same person or not) across scripts.

The spellings below are written by hand: each line lists how one name is really written in
Uzbek Latin and Cyrillic, Russian/Kazakh/Kyrgyz Cyrillic, Tajik, English/French/German/Turkish
transliterations and, for Uyghur names, Arabic script (UEY), Latin (ULY) and Cyrillic. The
script only composes them into full names (in either order, with a patronymic or an initial)
and pairs them. Run ``python -m tests.data.make_name_pairs`` to regenerate (seeded, stable).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

GIVEN_MALE = [
    ["Alisher", "Алишер", "Alischer", "Alicher"],
    ["Rustam", "Рустам", "Rustem"],
    ["Shavkat", "Шавкат", "Schawkat", "Şavkat"],
    ["Dilshod", "Dilshad", "Дильшод", "Дилшод", "Dilşat", "دىلشات"],
    ["Abdulla", "Abdullah", "Абдулла", "Abdoulla", "ئابدۇللا"],
    ["Muhammad", "Mukhammad", "Мухаммад", "Muhammed", "Муҳаммад"],
    ["Nurmuhammad", "Nurmukhammed", "Нурмухаммед", "Nurmuhemmet", "نۇرمۇھەممەت"],
    ["Ilhom", "Ilkhom", "Илхом", "Ilham", "Ильхам", "ئىلھام", "Ilchom"],
    ["Azamat", "Азамат", "Azamat"],
    ["Jamshid", "Jamshed", "Джамшид", "Жамшид", "Djamchid", "Dschamschid", "Camşid"],
    ["Ulugbek", "Ulug'bek", "Улугбек", "Ulughbek", "Улуғбек", "Uluğbek"],
    ["Bakhtiyor", "Baxtiyor", "Бахтиёр", "Bakhtiyar", "Бахтияр", "Bachtijor"],
    ["Erkin", "Эркин", "ئەركىن", "Erkin"],
    ["Abdurehim", "Abdurakhim", "Абдурехим", "Абдурахим", "ئابدۇرېھىم"],
    ["Ershidin", "Эршидин", "ئەرشىدىن", "Ärshidin"],
    ["Tursun", "Турсун", "تۇرسۇن", "Toursoun"],
    ["Abduqadir", "Abdukadir", "Абдукадир", "Абдуқодир", "ئابدۇقادىر"],
    ["Nurlan", "Нурлан", "Nourlan"],
    ["Sanjar", "Санжар", "Sandzhar", "Sanzhar", "Sandschar"],
    ["Farrukh", "Farrux", "Фаррух", "Farruh", "Farroukh"],
    ["Ismoil", "Ismail", "Исмоил", "Исмаил", "İsmail"],
    ["Kurbanjan", "Qurbanjan", "Курбанжан", "قۇربانجان"],
]
GIVEN_FEMALE = [
    ["Gulnora", "Гулнора", "Gulnara", "Гульнара", "Gul'nara"],
    ["Aygul", "Айгуль", "Aigul", "Aygül", "ئايگۈل"],
    ["Nigora", "Нигора", "Nigora"],
    ["Dilnoza", "Дилноза", "Dilnaza", "Dilnosa"],
    ["Zulfiya", "Зульфия", "Zulfia", "Zoulfia", "Zülfiye"],
    ["Mehriban", "Мехрибан", "مېھرىبان", "Mekhriban"],
    ["Mukaddas", "Muqaddas", "Мукаддас", "Муқаддас"],
    ["Patigul", "Патигуль", "پاتىگۈل", "Pätigul"],
]
# Surnames with a Slavic ending take -a for women (the script adds it); Uyghur ones do not.
SURNAMES = [
    (["Kholmatov", "Xolmatov", "Холматов", "Ҳолматов", "Holmatov", "Cholmatow"], True),
    (["Toshmatov", "Tashmatov", "Тошматов", "Ташматов", "Toschmatow"], True),
    (["Jurayev", "Juraev", "Жураев", "Джураев", "Djouraev", "Dschurajew", "Zhuraev"], True),
    (["Qodirov", "Kodirov", "Кодиров", "Қодиров", "Kadyrov", "Кадыров", "Kodirow"], True),
    (["Nazarov", "Назаров", "Nazarow", "Nazarov"], True),
    (["Usmonov", "Usmanov", "Усмонов", "Усманов", "Ousmanov"], True),
    (["Rakhimov", "Rahimov", "Raximov", "Рахимов", "Раҳимов", "Rachimow"], True),
    (["Ismoilov", "Ismailov", "Исмоилов", "Исмаилов", "İsmailov"], True),
    (["G'ulomov", "Gulomov", "Gulyamov", "Гуломов", "Ғуломов", "Гулямов", "Ghulomov"], True),
    (["Sultonov", "Sultanov", "Султонов", "Султанов"], True),
    (["Karimov", "Каримов", "Karimow"], True),
    (["Yusupov", "Юсупов", "Youssoupov", "Jusupow", "Yusupov"], True),
    (["Tokonbaev", "Tokonbayev", "Токонбаев"], True),
    (["Khodjaev", "Xo'jayev", "Хўжаев", "Ходжаев", "Khodzhaev", "Hodjaev"], True),
    (["Mirzaev", "Mirzayev", "Мирзаев", "Mirzaïev"], True),
    (["Ergashev", "Эргашев", "Ergachev", "Ergaschew", "Ergaşev"], True),
    (["Sharipov", "Шарипов", "Charipov", "Scharipow"], True),
    (["Abenov", "Әбенов", "Абенов"], True),
    (["Nurmagambetov", "Нурмагамбетов", "Nurmaghambetov", "Нұрмағамбетов"], True),
    (["Memet", "Мемет", "Mamet", "مەمەت"], False),
    (["Israil", "Исраил", "ئىسرائىل", "Isroil"], False),
    (["Tokhti", "Toxti", "Тохти", "توختى", "Tohti"], False),
    (["Kurban", "Qurban", "Курбан", "قۇربان"], False),
    (["Niyaz", "Нияз", "نىياز", "Niyaz"], False),
    (["Imin", "Имин", "ئىمىن", "Emin"], False),
    (["Abdukerim", "Абдукерим", "ئابدۇكېرىم", "Abdukérim"], False),
]
FATHERS = ["Rustam", "Karim", "Bakhtiyor", "Ahmad", "Tohir"]
FEMALE_ENDINGS = (
    ("ov", "ova"),
    ("ev", "eva"),
    ("ow", "owa"),
    ("ew", "ewa"),
    ("ов", "ова"),
    ("ев", "ева"),
)


def _feminine(surname: str) -> str:
    for male, female in FEMALE_ENDINGS:
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname


def _render(rng: random.Random, given: list[str], surname: list[str], female: bool, slavic: bool):
    g = rng.choice(given)
    s = rng.choice(surname)
    if female and slavic:
        s = _feminine(s)
    style = rng.random()
    if style < 0.45:
        return f"{g} {s}"
    if style < 0.8:
        return f"{s} {g}"
    father = rng.choice(FATHERS)
    if rng.random() < 0.5:
        suffix = "ovna" if female else "ovich"
        return f"{s} {g} {father}{suffix}"
    marker = "qizi" if female else "o'g'li"
    return f"{s} {g} {father} {marker}"


def _person(rng: random.Random):
    female = rng.random() < 0.3
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    surname, slavic = rng.choice(SURNAMES)
    return given, surname, female, slavic


def build(seed: int = 11, same: int = 220, different: int = 220) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    while len([r for r in rows if r["same"] == "1"]) < same:
        given, surname, female, slavic = _person(rng)
        a = _render(rng, given, surname, female, slavic)
        b = _render(rng, given, surname, female, slavic)
        if a == b or (a, b) in seen:
            continue
        if rng.random() < 0.12:  # the query gives only an initial
            first = rng.choice(given)
            a = f"{first[0]}. {rng.choice(surname)}" if not (female and slavic) else a
        seen.add((a, b))
        rows.append({"query": a, "stored": b, "same": "1", "kind": "same person"})
    while len([r for r in rows if r["same"] == "0"]) < different:
        p1 = _person(rng)
        p2 = list(_person(rng))
        kind = rng.random()
        if kind < 0.4:  # the same surname, another first name: relatives, namesakes
            p2[1], p2[3] = p1[1], p1[3]
            label = "same surname"
        elif kind < 0.7:  # the same first name, another surname
            p2[0], p2[2] = p1[0], p1[2]
            label = "same first name"
        elif kind < 0.85:  # brother and sister
            p2 = [rng.choice(GIVEN_FEMALE if not p1[2] else GIVEN_MALE), p1[1], not p1[2], p1[3]]
            label = "other sex, same surname"
        else:
            label = "unrelated"
        if p1[0] == p2[0] and p1[1] == p2[1]:
            continue
        a = _render(rng, *p1)
        b = _render(rng, *p2)
        if (a, b) in seen:
            continue
        seen.add((a, b))
        rows.append({"query": a, "stored": b, "same": "0", "kind": label})
    return rows


def main() -> None:
    path = Path(__file__).with_name("name_pairs.csv")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["query", "stored", "same", "kind"])
        writer.writeheader()
        writer.writerows(build())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
