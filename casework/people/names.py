"""Names across scripts: detecting the script and a comparison key across transliterations."""

from __future__ import annotations

import unicodedata

from casework.core.vocab import Script

# Cyrillic (Russian, Uzbek, Kazakh, Kyrgyz, Tajik letters) to a loose Latin form.
_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ng",
    "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "o", "ү": "u",
    "ұ": "u", "ф": "f", "х": "kh", "ҳ": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sh", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ә": "a",
    "ҷ": "j", "ӣ": "i", "ӯ": "u",
}  # fmt: skip

# Spellings of one sound that transliteration schemes disagree on, folded to one form.
_FOLDS = (
    ("kh", "h"), ("x", "h"), ("q", "k"), ("dzh", "j"), ("zh", "j"), ("ya", "ia"),
    ("yu", "iu"), ("yo", "io"), ("w", "v"), ("ou", "u"), ("ee", "i"), ("'", ""), ("`", ""),
    ("ʻ", ""), ("ʼ", ""), ("’", ""), ("‘", ""), ("o'", "o"), ("g'", "g"), ("y", "i"),
)  # fmt: skip


def detect_script(text: str) -> Script:
    """The script most letters of ``text`` are written in."""
    counts = {Script.LATIN: 0, Script.CYRILLIC: 0, Script.ARABIC: 0}
    for ch in text:
        if not ch.isalpha():
            continue
        uname = unicodedata.name(ch, "")
        if uname.startswith("CYRILLIC"):
            counts[Script.CYRILLIC] += 1
        elif uname.startswith("ARABIC"):
            counts[Script.ARABIC] += 1
        elif uname.startswith("LATIN"):
            counts[Script.LATIN] += 1
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else Script.OTHER


def latin_key(text: str) -> str:
    """A loose Latin key: ``Kholmatov``, ``Xolmatov`` and ``Холматов`` give the same key."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = "".join(_CYR.get(ch, ch) for ch in text)
    out = "".join(ch for ch in unicodedata.normalize("NFKD", out) if not unicodedata.combining(ch))
    for old, new in _FOLDS:
        out = out.replace(old, new)
    return " ".join(out.split())
