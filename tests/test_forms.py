"""Every form speaks Russian, including WTForms' own messages (invalid choice, required)."""

import pytest

from nastavnik.web.forms import Form


def test_person_form_invalid_choice_is_in_russian(curator, world):
    response = curator.post(
        "/participants/new",
        data={"kind": "alien", "org_id": str(world.school.id), "last_name": "Иванов", "first_name": "Иван"},
    )
    assert response.status_code == 422
    page = response.data.decode()
    assert "Неверный вариант." in page
    assert "Not a valid choice" not in page


@pytest.mark.parametrize("module", ["admin", "auth", "banks", "consents", "orgs", "pairs", "participants",
                                    "programmes", "roadmaps"])
def test_every_form_class_uses_the_russian_base(module):
    import importlib
    import inspect

    from flask_wtf import FlaskForm

    forms = importlib.import_module(f"nastavnik.{module}.forms")
    classes = [c for _, c in inspect.getmembers(forms, inspect.isclass)
               if issubclass(c, FlaskForm) and c.__module__ == forms.__name__]
    assert classes, module
    assert all(issubclass(c, Form) for c in classes), [c.__name__ for c in classes if not issubclass(c, Form)]
