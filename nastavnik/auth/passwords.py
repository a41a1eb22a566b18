"""Password policy: refuse short, common, trivial and personal passwords, with Russian messages.

Strength is judged by zxcvbn (Dropbox's estimator: 30 000 leaked passwords, dictionaries, keyboard
rows, repeats, sequences, dates). Russian habits it cannot see are brought to it: a password typed
in the Russian layout is also judged as the same keys in the Latin one («пароль» is «gfhjkm»), and
in transliteration, and the user's login, name and the app's own words count as dictionary words.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

from nastavnik.web.words import plural, translit

MIN_SCORE = 2  # zxcvbn 0–4: 0–1 fall to an online attack within hours
MAX_CHECKED = 72  # zxcvbn's cost grows with length; a long password is judged by its start
_LAYOUT = str.maketrans(
    "йцукенгшщзхъфывапролджэячсмитьбюё", "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
)
# Words anyone would try first against a school's mentoring system.
LOCAL_WORDS = (
    "пароль", "парол", "наставник", "наставничество", "наставляемый", "куратор", "школа", "учитель",
    "ученик", "директор", "привет", "любовь", "россия", "москва", "йцукен", "nastavnik", "school",
)
WARNINGS = {
    "common": "Это один из самых распространённых паролей: его подберут первым.",
    "keyboard": "Ряд соседних клавиш легко угадать.",
    "repeat": "Повторы вроде «aaa» или «abcabc» легко угадать.",
    "sequence": "Последовательности вроде «abc» или «6543» легко угадать.",
    "date": "Годы и даты легко угадать.",
    "name": "Имена и фамилии легко угадать.",
    "word": "Одно слово легко угадать.",
}
_WARNING_KINDS = (
    ("common password", "common"), ("commonly used password", "common"), ("keys", "keyboard"),
    ("keyboard", "keyboard"), ("Repeats", "repeat"), ("Sequences", "sequence"), ("years", "date"),
    ("Dates", "date"), ("surnames", "name"), ("word", "word"),
)
ADVICE = "Надёжнее всего — фраза из трёх-четырёх не связанных слов."


def min_length() -> int:
    return current_app.config.get("PASSWORD_MIN_LENGTH", 8) if has_app_context() else 8


def _variants(password: str) -> set[str]:
    lower = password.lower()
    return {password, lower.translate(_LAYOUT), translit(lower)}


def password_problem(password: str, username: str = "", personal: tuple[str, ...] = ()) -> str | None:
    """The reason ``password`` is refused, in Russian, or None when it is good enough."""
    length = min_length()
    if len(password) < length:
        return f"Пароль слишком короткий: нужно не меньше {plural(length, 'символа', 'символов', 'символов')}."
    if password.strip() != password:
        return "Пароль не должен начинаться или заканчиваться пробелом."
    lowered = password.lower()
    login = (username or "").strip().lower()
    if login and (login in lowered or lowered in login):
        return "Пароль не должен совпадать с логином или содержать его."
    inputs = [w for w in (login, *(p.lower() for p in personal), *LOCAL_WORDS) if w]
    inputs += [translit(w) for w in inputs] + [w.translate(_LAYOUT) for w in inputs]
    worst = min((zxcvbn(v[:MAX_CHECKED], user_inputs=inputs) for v in _variants(password)), key=lambda r: r["score"])
    if worst["score"] >= MIN_SCORE:
        return None
    warning = worst["feedback"].get("warning") or ""
    kind = next((k for text, k in _WARNING_KINDS if text in warning), None)
    return f"{WARNINGS.get(kind, 'Пароль слишком простой: его легко подобрать.')} {ADVICE}"


class StrongPassword:
    """WTForms validator; ``username``: the form field holding the login, or a callable returning it."""

    def __init__(self, username="username"):
        self.username = username

    def __call__(self, form, field):
        if not field.data:
            return
        if callable(self.username):
            login = self.username(form)
        else:
            login = getattr(getattr(form, self.username, None), "data", "") or ""
        problem = password_problem(field.data, login, getattr(form, "personal_words", ()))
        if problem:
            raise ValidationError(problem)
