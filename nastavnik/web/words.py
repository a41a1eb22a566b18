"""Russian plural forms by the CLDR rules (Babel), for every count the interface shows."""

from __future__ import annotations

from babel import Locale

_RU = Locale("ru")


def plural_word(number, one: str, few: str, many: str) -> str:
    """The word that goes with ``number``: 1 пара, 2 пары, 5 пар, 21 пара, 1,5 пары."""
    form = _RU.plural_form(abs(number))
    return {"one": one, "few": few, "many": many}.get(form, few)  # "other" (fractions) takes the few form


def plural(number, one: str, few: str, many: str) -> str:
    """``number`` with its word: the Jinja filter ``{{ n|plural("пара", "пары", "пар") }}``."""
    return f"{number} {plural_word(number, one, few, many)}"


# Passport transliteration (МВД, ICAO 9303): logins from names, passwords typed in the Russian layout.
_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y",
    "ь": "", "э": "e", "ю": "iu", "я": "ia",
})


def translit(text: str) -> str:
    """«Щукина Юлия» → «shchukina iuliia» (lower case)."""
    return (text or "").lower().translate(_LATIN)
