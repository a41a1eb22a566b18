"""Twin test: the by-organisation table, its cells written by ``by_org_rows`` in Python, is the same HTML,
to the byte, as the template that wrote them cell by cell (kept below as it was)."""

from __future__ import annotations

from flask import render_template

OLD_TEMPLATE = """{% set grouped = (data.orgs|map(attribute=2)|unique|list|length) > 1 %}
<div class="table-wrap">
<table class="list figures rollup" id="rollup-table">
  <caption class="sr-only">По организациям: для каждой доли N, D и %, в последней строке — итог (сумма N и D)</caption>
  <thead>
    <tr><th scope="col" rowspan="2">Организация</th>{% if grouped %}<th scope="col" rowspan="2">{{ data.group_title or "Муниципалитет" }}</th>{% endif %}
      {% for i in data.indicators %}<th scope="colgroup" colspan="{{ 3 if i.share else 1 }}" title="{{ i.name }}">{{ i.code }}</th>{% endfor %}</tr>
    <tr>{% for i in data.indicators %}{% if i.share %}<th scope="col">N</th><th scope="col">D</th><th scope="col">%</th>{% else %}<th scope="col">{{ i.unit }}</th>{% endif %}{% endfor %}</tr>
  </thead>
  <tbody>{% for title, group, cells in old_rows(data) %}
    <tr><th scope="row">{{ title }}</th>{% if grouped %}<td>{{ group }}</td>{% endif %}
      {% for share, n, d, v, note, in_words in cells %}
        {% if share %}<td class="num">{{ n }}</td><td class="num">{{ d }}</td><td class="num"{% if note %} title="{{ note }}"{% endif %}>{{ v }}{% if in_words %}<span class="sr-only"> ({{ note }})</span>{% endif %}</td>
        {% else %}<td class="num">{{ v }}</td>{% endif %}
      {% endfor %}</tr>
  {% endfor %}</tbody>
  <tfoot><tr><th scope="row">Итого</th>{% if grouped %}<td></td>{% endif %}
    {% for i in data.indicators %}{% set v, n, d, note = data.total.get(i.code, [none, none, none, ""]) %}
      {% if i.share %}<td class="num">{{ n|figure }}</td><td class="num">{{ d|figure }}</td><td class="num"><b>{{ v|figure("%") }}</b></td>{% else %}<td class="num"><b>{{ v|figure }}</b></td>{% endif %}
    {% endfor %}</tr></tfoot>
</table>
</div>
<details class="legend"><summary>Что означают коды показателей</summary>
  <dl class="facts">{% for i in data.indicators %}<dt>{{ i.code }}</dt><dd>{{ i.name }}{% if i.target is not none %} (цель {{ i.target|figure(i.unit) }} {{ i.unit }}){% endif %}</dd>{% endfor %}</dl>
</details>
"""


def old_rows(data: dict):
    """The cells as the old template took them: (share?, N, D, value, note, note shown in words?)."""
    from nastavnik.reports.routes import figure_filter

    indicators = [(i["code"], i["share"]) for i in data["indicators"]]
    rows = []
    for org_id, title, group in data["orgs"]:
        values = data["values"].get(str(org_id), {})
        cells = []
        for code, is_share in indicators:
            v, n, d, note = values.get(code, [None, None, None, ""])
            if is_share:
                cells.append((True, figure_filter(n), figure_filter(d), figure_filter(v, "%"), note,
                              bool(note) and v is None))
            else:
                cells.append((False, "", "", figure_filter(v), note, False))
        rows.append((title, group, cells))
    return rows


def table_data(groups) -> dict:
    hostile = "<b>\"О'Нил\" & сын</b>"
    indicators = [
        {"code": "S1", "name": "Доля", "unit": "%", "share": True, "target": 70.0},
        {"code": "S2", "name": hostile, "unit": "%", "share": True, "target": None},
        {"code": "C1", "name": "Пары", "unit": "ед.", "share": False, "target": None},
        {"code": "M1", "name": "Публикации", "unit": "ед.", "share": False, "target": 3},
    ]
    cells = [
        {"S1": [40.0, 2, 5, ""], "S2": [None, None, None, "нет данных: счётчик не установлен (плагин <x>)"],
         "C1": [1234567, 1234567, 1234567, ""], "M1": [2.5, None, None, "вручную: сайт"]},
        {"S1": [None, 0, 0, ""], "S2": [12.345, 1, 8.1, f"D вручную: {hostile}"], "C1": [0, 0, 0, ""],
         "M1": [None, None, None, "не введено"]},
        {},  # an organisation with no figures at all
        {"S1": [100.0, 3, 3, ""], "C1": [None, None, None, "нет данных"], "M1": [7, None, None, hostile]},
        {"S1": [0.0, 0, 3, ""], "S2": [-0.0, 0, 2.0, ""], "C1": [-2, -2, -2, ""], "M1": [-0.0, None, None, ""]},
        {"S1": [-0.0, 0, 3, ""], "S2": [0, 0, 2, ""], "C1": [0.0, 0.0, 0.0, ""], "M1": [1e20, None, None, ""]},
    ]
    orgs = [[10 + i, f"Школа № {i} {hostile}", groups[i % len(groups)]] for i in range(len(cells))]
    return {"indicators": indicators, "orgs": orgs, "values": {str(o[0]): c for o, c in zip(orgs, cells, strict=True)},
            "total": {"S1": [41.0, 5, 8, ""], "C1": [1234567, 1234567, 1234567, ""]}, "group_title": hostile}


def test_the_table_is_the_old_templates_to_the_byte(app):
    from nastavnik.reports import routes

    for groups in (["Район"], ["Район", f"Другой {chr(60)}район{chr(62)}"]):
        data = table_data(groups)
        with app.test_request_context():
            new = render_template("reports/_table_by_org.html", data=data)
            old = app.jinja_env.from_string(OLD_TEMPLATE).render(data=data, old_rows=old_rows)
        assert new == old
        assert "&lt;b&gt;&#34;О&#39;Нил&#34; &amp; сын&lt;/b&gt;" in new and "<b>\"О'Нил" not in new
        assert len(routes.by_org_rows(data)) == 6 and "-0,0" in new
