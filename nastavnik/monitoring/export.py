"""Выгрузки результатов кампании: .xlsx (ответы под псевдонимами, сводки, нативные диаграммы Excel) и
.docx «аналитическая справка» в порядке раздела мониторинга дорожной карты школы № 128 (seed 004):
участники (5.1) → внутренний мониторинг (5.2) → обобщение и SWOT (5.3) → рост участников (6.1) → выводы.

Every user-supplied string goes into the workbook through ``write_string`` (never as a formula).
"""

from __future__ import annotations

import random
from io import BytesIO

import xlsxwriter
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from sqlalchemy import func, select

from nastavnik.extensions import db
from nastavnik.monitoring import growth
from nastavnik.monitoring.models import Answer, Campaign, Response, Swot
from nastavnik.monitoring.results import Results, campaign_results, compare
from nastavnik.monitoring.services import label_of
from nastavnik.monitoring.structs import SCORED
from nastavnik.orgs.models import Organisation
from nastavnik.pairs.models import Pair, PairMember
from nastavnik.periods import ru_date
from nastavnik.plugins.manager import registry
from nastavnik.timeutil import today

SWOT_PARTS = (("strengths", "Сильные стороны"), ("weaknesses", "Слабые стороны"),
              ("opportunities", "Возможности"), ("threats", "Угрозы"))


def _pct(value) -> str:
    return "—" if value is None else f"{value:.0f} %"


def _num(value, places: int = 2) -> str:
    return "—" if value is None else f"{value:.{places}f}".replace(".", ",")


def _scope_title(campaign: Campaign, org_ids) -> str:
    ids = campaign.target_ids if org_ids is None else sorted(org_ids)
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)).all()
    return ", ".join(o.title for o in orgs)


def swots_of(campaign: Campaign, org_ids) -> list[Swot]:
    """The whole campaign: every SWOT made for it (the launcher's and the schools'); a school: its own."""
    query = select(Swot).where(Swot.campaign_id == campaign.id).order_by(Swot.id)
    if org_ids is not None:
        query = query.where(Swot.org_id.in_(sorted(org_ids)))
    return db.session.scalars(query).all()


def _comparison(campaign: Campaign, org_ids):
    """Entry vs final for the справка: the other wave of the same questionnaire, when there is one."""
    others = db.session.scalars(select(Campaign).where(
        Campaign.questionnaire_id == campaign.questionnaire_id, Campaign.id != campaign.id,
        Campaign.wave.in_(("entry", "final")), Campaign.wave != campaign.wave)).all()
    if campaign.wave not in ("entry", "final") or not others:
        return None
    other = max(others, key=lambda c: c.opens_on)
    first, second = (other, campaign) if other.opens_on <= campaign.opens_on else (campaign, other)
    found = compare(first, second, org_ids)
    return None if found.hidden else found


# --- Excel -------------------------------------------------------------------------------------


class _Sheet:
    """A worksheet with a running row and typed writers (strings always through write_string)."""

    def __init__(self, book, name: str, formats: dict):
        self.ws = book.add_worksheet(name)
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.fit_to_pages(1, 0)  # one page wide, as many long as needed
        self.name, self.f, self.row = name, formats, 0

    def line(self, *cells, fmt=None) -> int:
        for col, value in enumerate(cells):
            style = fmt or self.f["cell"]
            if value is None:
                self.ws.write_blank(self.row, col, None, style)
            elif isinstance(value, bool):
                self.ws.write_string(self.row, col, "да" if value else "нет", style)
            elif isinstance(value, (int, float)):
                style = fmt or (self.f["integer"] if isinstance(value, int) else self.f["number"])
                self.ws.write_number(self.row, col, value, style)
            else:
                self.ws.write_string(self.row, col, str(value), style)
        self.row += 1
        return self.row - 1

    def title(self, text: str):
        self.ws.write_string(self.row, 0, text, self.f["title"])
        self.row += 2


def _place(sheet: _Sheet, chart, height: int) -> None:
    """Charts one under another on the «Диаграммы» sheet (20 px a row)."""
    sheet.ws.insert_chart(sheet.row, 0, chart)
    sheet.row += height // 20 + 2


def _formats(book) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "head": book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True, "valign": "top"}),
        "cell": book.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
        "number": book.add_format({"border": 1, "num_format": "0.00", "valign": "top"}),
        "integer": book.add_format({"border": 1, "num_format": "0", "valign": "top"}),
        "note": book.add_format({"italic": True, "text_wrap": True}),
    }


def campaign_xlsx(campaign: Campaign, org_ids: set[int] | None = None) -> bytes:
    results = campaign_results(campaign, org_ids)
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = _formats(book)
    _summary_sheet(book, formats, campaign, results, org_ids)
    charts = _Sheet(book, "Диаграммы", formats)
    charts.title("Диаграммы (данные — на листах «По вопросам» и «По организациям»)")
    _items_sheet(book, formats, results, charts)
    _orgs_sheet(book, formats, results, charts)
    _answers_sheet(book, formats, campaign, results, org_ids)
    book.close()
    return buffer.getvalue()


def _summary_sheet(book, formats, campaign: Campaign, results: Results, org_ids) -> None:
    sheet = _Sheet(book, "Сводка", formats)
    sheet.ws.set_column(0, 0, 34)
    sheet.ws.set_column(1, 1, 70)
    sheet.title(f"Результаты мониторинга: {campaign.title}")
    rule = results.rule
    for label, value in (
        ("Анкета", f"{campaign.questionnaire.title} (версия {campaign.questionnaire_version.number})"),
        ("Кто отвечал", campaign.questionnaire.audience_title),
        ("Волна", campaign.wave_title),
        ("Сроки", f"{ru_date(campaign.opens_on)} – {ru_date(campaign.closes_on)} ({campaign.status_title})"),
        ("Организации", _scope_title(campaign, org_ids)),
        ("Адресатов", results.expected),
        ("Ответили", results.answered),
        ("Отклик, %", round(results.rate, 1) if results.rate is not None else "—"),
        ("Из них на бумаге", results.paper),
        ("Удовлетворённых, %", "не показывается (мало ответов)" if results.hidden else (
            round(results.satisfaction.percent, 1) if results.satisfaction.percent is not None else "—")),
        ("Правило", f"{'доля со средним баллом не ниже порога' if rule.method == 'threshold' else 'средний балл в % от максимума'}, "
                    f"порог {rule.threshold_percent} %, минимальная группа {rule.min_group_size}"),
        ("Выгружено", ru_date(today())),
    ):
        sheet.line(label, value)
    for swot in swots_of(campaign, org_ids):
        sheet.row += 1
        sheet.line("SWOT-анализ", swot.org.title if swot.org else "", fmt=formats["head"])
        for name, title in SWOT_PARTS:
            sheet.line(title, getattr(swot, name) or "—")
        if swot.conclusions:
            sheet.line("Выводы", swot.conclusions)


def _items_sheet(book, formats, results: Results, charts: _Sheet) -> None:
    sheet = _Sheet(book, "По вопросам", formats)
    sheet.ws.set_column(0, 0, 5)
    sheet.ws.set_column(1, 1, 60)
    sheet.ws.set_column(2, 7, 13)
    sheet.title("По вопросам")
    if results.hidden:
        sheet.line(f"Ответов меньше {results.rule.min_group_size}: анкета анонимная, ответы не показываются.",
                   fmt=formats["note"])
        return
    sheet.line("№", "Вопрос", "Вид", "Ответов", "Среднее", "Медиана", "% от максимума", "Не ниже порога, %",
               fmt=formats["head"])
    scored_rows = []
    for index, s in enumerate(results.items, 1):
        row = sheet.line(index, s.item.text, s.item.kind_title, s.n,
                         round(s.mean, 2) if s.mean is not None and s.item.kind != "multiple" else None,
                         s.median if s.item.kind in (*SCORED, "number") else None,
                         round(s.mean_share, 1) if s.mean_share is not None else None,
                         round(s.at_threshold, 1) if s.at_threshold is not None else None)
        if s.mean_share is not None:
            scored_rows.append(row)
    if scored_rows:
        chart = book.add_chart({"type": "bar"})
        chart.add_series({
            "name": "Средний балл, % от максимума",
            "categories": [sheet.name, scored_rows[0], 0, scored_rows[-1], 0],
            "values": [sheet.name, scored_rows[0], 6, scored_rows[-1], 6],
            "data_labels": {"value": True},
        })
        chart.set_title({"name": "Средний балл по вопросам, % от максимума"})
        chart.set_x_axis({"min": 0, "max": 100})
        chart.set_y_axis({"reverse": True, "name": "№ вопроса"})
        chart.set_legend({"none": True})
        chart.set_size({"width": 900, "height": max(320, 26 * len(scored_rows))})
        _place(charts, chart, max(320, 26 * len(scored_rows)))
    sheet.row += 1
    sheet.line("Распределение ответов", fmt=formats["head"])
    sheet.line("№", "Вопрос", "Ответ", "Количество", "% ответивших", fmt=formats["head"])
    for index, s in enumerate(results.items, 1):
        for _, label, count in s.distribution:
            sheet.line(index, s.item.text, label, count, round(s.percent(count), 1))
    if results.subscales:
        sheet.row += 1
        sheet.line("Подшкала", "", "Ответов", "Средний балл", "% от максимума", fmt=formats["head"])
        first_sub = sheet.row
        for sub in results.subscales:
            sheet.line(sub.code, "", sub.n, round(sub.mean_points, 2) if sub.mean_points is not None else None,
                       round(sub.mean_share, 1))
        chart = book.add_chart({"type": "column"})
        chart.add_series({
            "name": "Подшкалы, % от максимума",
            "categories": [sheet.name, first_sub, 0, sheet.row - 1, 0],
            "values": [sheet.name, first_sub, 4, sheet.row - 1, 4],
            "data_labels": {"value": True},
        })
        chart.set_title({"name": "Подшкалы, % от максимума"})
        chart.set_y_axis({"min": 0, "max": 100})
        chart.set_legend({"none": True})
        chart.set_size({"width": 900, "height": 320})
        _place(charts, chart, 320)
    texts = [s for s in results.items if s.item.kind == "text" and s.texts]
    if texts:
        sheet.row += 1
        sheet.line("Открытые ответы (по алфавиту, без имён)", fmt=formats["head"])
        for s in texts:
            for text in s.texts:
                sheet.line("", s.item.text, text)


def _orgs_sheet(book, formats, results: Results, charts: _Sheet) -> None:
    sheet = _Sheet(book, "По организациям", formats)
    sheet.ws.set_column(0, 0, 40)
    sheet.ws.set_column(1, 4, 16)
    sheet.title("Отклик и удовлетворённость по организациям")
    sheet.line("Организация", "Адресатов", "Ответили", "Отклик, %", "Удовлетворённых, %", fmt=formats["head"])
    first = sheet.row
    for row in results.orgs:
        satisfied = None if row.hidden else row.satisfaction.percent
        sheet.line(row.org.title, row.expected, row.answered, round(row.rate, 1) if row.rate is not None else None,
                   round(satisfied, 1) if satisfied is not None else (f"менее {results.rule.min_group_size} ответов"
                                                                      if row.hidden else None))
    if results.orgs:
        chart = book.add_chart({"type": "column"})
        for col, name in ((3, "Отклик, %"), (4, "Удовлетворённых, %")):
            chart.add_series({"name": name, "categories": [sheet.name, first, 0, sheet.row - 1, 0],
                              "values": [sheet.name, first, col, sheet.row - 1, col], "data_labels": {"value": True}})
        chart.set_title({"name": "Отклик и удовлетворённость, %"})
        chart.set_y_axis({"min": 0, "max": 100})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 900, "height": max(320, 40 * len(results.orgs))})
        _place(charts, chart, max(320, 40 * len(results.orgs)))


def _answers_sheet(book, formats, campaign: Campaign, results: Results, org_ids) -> None:
    """Answers under pseudonyms («Р-001» in a random order: neither who nor when can be read from them)."""
    sheet = _Sheet(book, "Ответы", formats)
    sheet.title("Ответы (под псевдонимами)")
    if results.hidden:
        sheet.line(f"Ответов меньше {results.rule.min_group_size}: анкета анонимная, ответы не выгружаются.",
                   fmt=formats["note"])
        return
    items = campaign.questionnaire_version.items
    query = (select(Response.id, Response.org_id, Response.channel, Answer.item_id, Answer.value, Answer.text)
             .join(Answer, Answer.response_id == Response.id).where(Response.campaign_id == campaign.id))
    if org_ids is not None:
        query = query.where(Response.org_id.in_(list(org_ids)))
    by_response: dict[int, dict] = {}
    meta: dict[int, tuple[int, str]] = {}
    for response_id, org_id, channel, item_id, value, text in db.session.execute(query):
        meta[response_id] = (org_id, channel)
        by_response.setdefault(response_id, {}).setdefault(item_id, []).append(text if text is not None else value)
    small = {row.org.id for row in results.orgs if row.hidden}
    titles = {row.org.id: row.org.title for row in results.orgs}
    order = list(by_response)
    random.SystemRandom().shuffle(order)
    by_item = {item.id: item for item in items}
    sheet.ws.set_column(0, 2, 16)
    sheet.ws.set_column(3, 3 + len(items), 22)
    sheet.line("Респондент", "Организация", "Как получен", *[f"{i}. {item.text}" for i, item in enumerate(items, 1)],
               fmt=formats["head"])
    from nastavnik.monitoring.models import CHANNELS

    for number, response_id in enumerate(order, 1):
        org_id, channel = meta[response_id]
        cells = []
        for item in items:
            values = by_response[response_id].get(item.id, [])
            if item.kind in ("text",):
                cells.append("; ".join(str(v) for v in values) or None)
            elif item.kind in (*SCORED, "number") and values:
                cells.append(values[0])
            else:
                cells.append("; ".join(label_of(by_item[item.id], v) for v in values) or None)
        org_title = "—" if campaign.questionnaire.anonymous and org_id in small else titles.get(org_id, "")
        sheet.line(f"Р-{number:03d}", org_title, CHANNELS.get(channel, channel), *cells)


# --- Word: аналитическая справка ------------------------------------------------------------------


def _participants(campaign: Campaign, org_ids) -> tuple[int, int, int]:
    """Pairs of the campaign's form in its organisations (active or finished), distinct mentors and mentees."""
    ids = campaign.target_ids if org_ids is None else list(org_ids)
    pairs = select(Pair.id).where(Pair.org_id.in_(ids), Pair.status.in_(("active", "finished")))
    if campaign.kind_code:
        pairs = pairs.where(Pair.kind_code == campaign.kind_code)
    count_pairs = db.session.scalar(select(func.count()).select_from(pairs.subquery())) or 0
    people = dict(db.session.execute(
        select(PairMember.role, func.count(func.distinct(PairMember.person_id)))
        .where(PairMember.pair_id.in_(pairs)).group_by(PairMember.role)).all())
    return count_pairs, people.get("mentor", 0), people.get("mentee", 0)


def _table(doc, header: list[str], rows: list[list[str]], widths: list[float] | None = None):
    """A bordered table; ``widths`` in cm (the first text column wide, numbers narrow)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = widths is None
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = str(text)
    if widths:
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)  # the grid LibreOffice reads …
        for row in table.rows:  # … and the cells Word reads
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    return table


def campaign_docx(campaign: Campaign, org_ids: set[int] | None = None) -> bytes:
    results = campaign_results(campaign, org_ids)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run("Аналитическая справка\nпо результатам мониторинга реализации программы наставничества")
    run.bold = True
    run.font.size = Pt(14)
    info = doc.add_paragraph()
    info.alignment = WD_ALIGN_PARAGRAPH.CENTER
    info.add_run(f"{_scope_title(campaign, org_ids)}\n{campaign.title}, {ru_date(campaign.opens_on)} – "
                 f"{ru_date(campaign.closes_on)}")
    kind = registry().kind(campaign.kind_code).title if campaign.kind_code else "все формы"

    doc.add_heading("1. Количество участников программ наставничества", level=2)
    pairs, mentors, mentees = _participants(campaign, org_ids)
    doc.add_paragraph(f"Форма наставничества: {kind}. Наставнических пар/групп (действующих и завершённых): {pairs}; "
                      f"наставников: {mentors}; наставляемых: {mentees}. Эти данные вносятся в формы федерального "
                      "статистического наблюдения.")

    doc.add_heading("2. Внутренний мониторинг реализации и эффективности программ наставничества", level=2)
    doc.add_paragraph(
        f"Анкетирование: «{campaign.questionnaire.title}» ({campaign.questionnaire.audience_title}), "
        f"{campaign.wave_title} волна. Ответили {results.answered} из {results.expected} "
        f"(отклик {_pct(results.rate)}), из них на бумаге — {results.paper}.")
    rule = results.rule
    if results.hidden:
        doc.add_paragraph(f"Ответов меньше {rule.min_group_size}: анкета анонимная, поэтому результаты по вопросам "
                          "не приводятся.")
    else:
        method = ("доля ответивших со средним баллом по вопросам удовлетворённости не ниже "
                  f"{rule.threshold_percent} % от максимума" if rule.method == "threshold"
                  else "средний балл по вопросам удовлетворённости в процентах от максимума")
        doc.add_paragraph(f"Уровень удовлетворённости: {_pct(results.satisfaction.percent)} ({method}).")
        rows = [[str(i), s.item.text, str(s.n), _num(s.mean) if s.item.kind in (*SCORED, "number") else (
            _pct(100 * s.mean) + " «да»" if s.item.kind == "yesno" and s.mean is not None else "—"),
            _num(s.median, 1) if s.item.kind in (*SCORED, "number") else "—"]
            for i, s in enumerate(results.items, 1) if s.item.kind != "text"]
        _table(doc, ["№", "Вопрос", "Ответов", "Среднее", "Медиана"], rows, [1, 10, 2, 2, 2])
        if results.subscales:
            doc.add_paragraph("По подшкалам (в процентах от максимума): " + "; ".join(
                f"{s.code} — {_pct(s.mean_share)}" for s in results.subscales) + ".")
        comparison = _comparison(campaign, org_ids)
        if comparison is not None:
            doc.add_paragraph(
                f"Входная и итоговая волны: удовлетворённость {_pct(comparison.before.satisfaction.percent)} → "
                f"{_pct(comparison.after.satisfaction.percent)}.")
            _table(doc, ["Вопрос", "Входная", "Итоговая"],
                   [[text, _num(before), _num(after)] for text, before, after in comparison.rows], [11, 3, 3])

    doc.add_heading("3. Обобщение результатов мониторинга", level=2)
    if len(results.orgs) > 1:
        _table(doc, ["Организация", "Адресатов", "Ответили", "Отклик", "Удовлетворённых"], [
            [r.org.title, str(r.expected), str(r.answered), _pct(r.rate),
             f"менее {rule.min_group_size} ответов" if r.hidden else _pct(r.satisfaction.percent)]
            for r in results.orgs], [7, 2.5, 2.5, 2.5, 2.5])
    swots = swots_of(campaign, org_ids)
    if swots:
        for swot in swots:
            doc.add_paragraph(f"SWOT-анализ программы{': ' + swot.org.title if len(swots) > 1 and swot.org else ''}")
            _table(doc, [title for _, title in SWOT_PARTS], [[getattr(swot, name) or "—" for name, _ in SWOT_PARTS]])
    else:
        doc.add_paragraph("SWOT-анализ программы не составлен.")

    doc.add_heading("4. Оценка мотивационно-личностного, компетентностного, профессионального роста участников",
                    level=2)
    ids = campaign.target_ids if org_ids is None else list(org_ids)
    summary = growth.summary(ids, campaign.kind_code)
    if summary:
        _table(doc, ["Характеристика", "Участников", "Вход", "Итог", "Улучшили", "Без изменений", "Ухудшили"], [
            [r.characteristic.title if r.characteristic else r.code, str(r.n), _num(r.entry_mean), _num(r.final_mean),
             str(r.counts["better"]), str(r.counts["same"]), str(r.counts["worse"])] for r in summary],
               [6, 2, 1.7, 1.7, 1.9, 1.9, 1.9])
    else:
        doc.add_paragraph("Входные и итоговые значения характеристик участников пока не записаны.")

    doc.add_heading("5. Выводы и предложения", level=2)
    conclusions = [s.conclusions for s in swots if s.conclusions]
    for text in conclusions or ["________________________________________________________________"]:
        doc.add_paragraph(text)
    doc.add_paragraph(f"\nДата: {ru_date(today())}          Куратор ______________ / ______________ /")
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
