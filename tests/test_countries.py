"""Countries as people write them: codes, English and Russian names, the region's languages."""

from __future__ import annotations

import pytest

from casework.core.countries import lookup


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("UZ", "UZ"), ("uzb", "UZ"), ("Uzbekistan", "UZ"), ("Узбекистан", "UZ"),
        ("Республика  Узбекистан", "UZ"), ("O'zbekiston", "UZ"), ("Ўзбекистон", "UZ"),
        ("Kyrgyz Republic", "KG"), ("Киргизия", "KG"), ("Кыргызстан", "KG"),
        ("КНР", "CN"), ("PRC", "CN"), ("China", "CN"), ("Turkey", "TR"), ("Türkiye", "TR"),
        ("Қазақстан", "KZ"), ("Тоҷикистон", "TJ"), (" Russia ", "RU"),
        # The official Russian name of Kyrgyzstan, Uzbek Latin with its own apostrophe.
        ("Кыргызская Республика", "KG"), ("Oʻzbekiston", "UZ"), ("O‘zbekiston", "UZ"),
        ("O`zbekiston", "UZ"), ("Qozogʻiston", "KZ"), ("Tadjikistan", "TJ"), ("Kirgizstan", "KG"),
        # Short names in everyday use, and "е" typed for "ё" (as Russian is usually typed).
        ("Киргизстан", "KG"), ("Kazakstan", "KZ"), ("США", "US"), ("Соединенные Штаты", "US"),
        ("Великобритания", "GB"), ("UK", "GB"), ("ОАЭ", "AE"), ("UAE", "AE"),
    ],
)  # fmt: skip
def test_names_people_write_find_the_country(text, code):
    assert lookup(text) == code


@pytest.mark.parametrize("text", ["", None, "Narnia", "Xinjiang", "Central Asia"])
def test_what_names_no_country_is_none(text):
    assert lookup(text) is None
