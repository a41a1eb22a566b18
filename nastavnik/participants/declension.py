"""Names as Russian orders and agreements need them: «назначить наставником Иванову Марию Петровну».

The cases come from pytrovich (the petrovich rules, maintained by the petrovich project); the gender
from the patronymic, or the first name when there is none. A library guesses wrong on some surnames
(«Ткач», «Бондаренко» for a man or a woman, names from other languages), so a curator can store the
right forms for a person (``PersonNameForms``); a stored form always wins.
"""

from __future__ import annotations

from functools import lru_cache

from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik.extensions import db

CASES = {
    "genitive": "родительный (кого? — наставничество в отношении …)",
    "dative": "дательный (кому? — поручить …)",
    "accusative": "винительный (кого? — назначить наставником …)",
    "instrumental": "творительный (кем? — заключено с …)",
}
GENDERS = {"": "определить по отчеству", "male": "мужской", "female": "женский"}
_CASE = {"genitive": Case.GENITIVE, "dative": Case.DATIVE, "accusative": Case.ACCUSATIVE,
         "instrumental": Case.INSTRUMENTAL}
_GENDER = {"male": Gender.MALE, "female": Gender.FEMALE}


class PersonNameForms(db.Model):
    """ФИО участника в падежах, исправленные вручную (пустое поле — склоняется автоматически)."""

    __tablename__ = "person_name_forms"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    gender: Mapped[str] = mapped_column(String(10), default="")
    genitive: Mapped[str] = mapped_column(String(300), default="")
    dative: Mapped[str] = mapped_column(String(300), default="")
    accusative: Mapped[str] = mapped_column(String(300), default="")
    instrumental: Mapped[str] = mapped_column(String(300), default="")

    person = relationship("Person")


@lru_cache(maxsize=1)
def _maker() -> PetrovichDeclinationMaker:
    return PetrovichDeclinationMaker()  # reads the rules file once


@lru_cache(maxsize=1)
def _detector() -> PetrovichGenderDetector:
    return PetrovichGenderDetector()


def _gender(last: str, first: str, middle: str, gender: str = "") -> Gender:
    if gender in _GENDER:
        return _GENDER[gender]
    found = _detector().detect(firstname=first or None, middlename=middle or None, lastname=last or None)
    return found if found in (Gender.MALE, Gender.FEMALE) else Gender.ANDROGYNOUS


def is_female(full_name: str, gender: str = "") -> bool:
    """For the words around a name: «именуемая», «действующей»."""
    words = (full_name.split() + ["", "", ""])[:3]
    return _gender(words[0], words[1], " ".join(full_name.split()[2:]), gender) == Gender.FEMALE


def decline_parts(last: str, first: str, middle: str, case: str, gender: str = "") -> tuple[str, str, str]:
    """Surname, first name and patronymic in ``case``; nominative when ``case`` is ``"nominative"``."""
    if case == "nominative":
        return last, first, middle
    g, c, maker = _gender(last, first, middle, gender), _CASE[case], _maker()

    def one(part: NamePart, value: str) -> str:
        if not value:
            return ""
        # Double surnames decline part by part («Салтыкова-Щедрина»).
        return "-".join(maker.make(part, g, c, piece) for piece in value.split("-"))

    return one(NamePart.LASTNAME, last), one(NamePart.FIRSTNAME, first), one(NamePart.MIDDLENAME, middle)


def decline_full_name(full_name: str, case: str) -> str:
    """«Фамилия Имя Отчество» typed as one string (an organisation's director) in ``case``."""
    words = full_name.split()
    if len(words) < 2 or case == "nominative":
        return full_name
    last, first, middle = words[0], words[1], " ".join(words[2:])
    return " ".join(p for p in decline_parts(last, first, middle, case) if p)


def initials_name(full_name: str) -> str:
    """«Иванова Мария Петровна» → «М.П. Иванова» (the signature line of an order)."""
    words = full_name.split()
    if len(words) < 2:
        return full_name
    return "".join(f"{w[0]}." for w in words[1:]) + " " + words[0]


def short_name(full_name: str) -> str:
    """«Кураторова Анна Ивановна» → «Кураторова А.И.» (lists for signature)."""
    words = full_name.split()
    return " ".join([words[0], "".join(f"{w[0]}." for w in words[1:])]) if len(words) > 1 else full_name


def stored_forms(person_id: int) -> PersonNameForms | None:
    return db.session.query(PersonNameForms).filter_by(person_id=person_id).one_or_none()


def person_in_case(person, case: str) -> str:
    """The person's full name in ``case``: the stored form if a curator wrote one, else the library's."""
    if case == "nominative":
        return person.full_name
    forms = stored_forms(person.id)
    if forms is not None and getattr(forms, case):
        return getattr(forms, case)
    gender = forms.gender if forms is not None else ""
    parts = decline_parts(person.last_name, person.first_name, person.middle_name, case, gender)
    return " ".join(p for p in parts if p)
