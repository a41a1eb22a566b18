"""Диаграммы результатов: SVG, нарисованные на сервере (pygal), без JavaScript.

Each chart is served as an image (``<img>``) with its data table beside it on the page, so it works
with JavaScript off, prints, and says the same to a screen reader. pygal writes a small config
``<script>`` even with ``js=[]``; it is removed, so the SVG carries no script at all.
"""

from __future__ import annotations

import re

import pygal
from pygal.style import Style

from nastavnik.monitoring.growth import VERDICTS, SummaryRow
from nastavnik.monitoring.results import Results

STYLE = Style(
    background="white", plot_background="white", foreground="#1d2733", foreground_strong="#1d2733",
    foreground_subtle="#5b6775", colors=("#1f5fa8", "#256628", "#8f4b00", "#b3261e", "#5b6775"),
    font_family="Arial, sans-serif", label_font_size=13, major_label_font_size=13, value_font_size=12,
    title_font_size=15, legend_font_size=13,
)
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _render(chart) -> bytes:
    svg = chart.render(disable_xml_declaration=True)
    svg = svg.decode() if isinstance(svg, bytes) else svg
    return SCRIPT.sub("", svg).encode()


def _bar(title: str, labels: list[str], series: list[tuple[str, list]], maximum: float = 100, unit: str = "%",
         stacked: bool = False) -> bytes:
    height = max(220, 70 + 34 * len(labels) * (1 if stacked or len(series) == 1 else len(series)))
    kind = pygal.StackedBar if stacked else pygal.HorizontalBar
    options = dict(js=[], style=STYLE, width=820, height=height, show_legend=len(series) > 1,
                   legend_at_bottom=True, print_values=True, truncate_label=-1, range=(0, maximum),
                   value_formatter=lambda v: f"{v:.0f}{unit}".replace(".", ","))
    if stacked:
        options.update(height=max(260, 120 + 12 * len(labels)), x_label_rotation=20, range=None)
        options["value_formatter"] = lambda v: f"{v:.0f}"
    chart = kind(**options)
    chart.title = title
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _render(chart)


def items_chart(results: Results) -> bytes:
    scored = [s for s in results.scored_items if s.mean_share is not None]
    labels = [f"{s.item.position + 1}. {short(s.item.text)}" for s in scored]
    return _bar("Средний балл по вопросам, % от максимума", labels, [("средний балл", [s.mean_share for s in scored])])


def subscales_chart(results: Results) -> bytes:
    labels = [s.code for s in results.subscales]
    return _bar("Подшкалы: средний балл, % от максимума", labels, [("подшкала", [s.mean_share for s in results.subscales])])


def orgs_chart(results_rows, title: str = "По организациям") -> bytes:
    rows = list(results_rows)
    labels = [short(r.org.title, 40) for r in rows]
    return _bar(title, labels, [
        ("отклик, %", [r.rate or 0 for r in rows]),
        ("удовлетворённых, %", [None if r.hidden else r.satisfaction.percent for r in rows]),
    ])


def growth_chart(rows: list[SummaryRow]) -> bytes:
    labels = [short(r.characteristic.title if r.characteristic else r.code, 40) for r in rows]
    return _bar("Рост участников: сколько улучшили, сохранили, ухудшили", labels, [
        (VERDICTS[key], [r.counts[key] for r in rows]) for key in VERDICTS
    ], stacked=True)
