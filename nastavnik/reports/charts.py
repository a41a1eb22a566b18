"""Server-rendered SVG charts (pygal) for the dashboards, always shown with their data table beside.

The SVG goes into the page as an ``<img>`` with a data: URL: it needs no script (pygal's tooltips
are switched off), its own styles stay inside the image, and the page's CSP is untouched.
"""

from __future__ import annotations

import base64

import pygal
from pygal.style import Style

STYLE = Style(
    background="white", plot_background="white", foreground="#222", foreground_strong="#111",
    foreground_subtle="#666", colors=("#2f5d8a", "#c7792b", "#4d8a55", "#8a4d7a", "#777777"),
    font_family="Arial, sans-serif", label_font_size=12, major_label_font_size=12, legend_font_size=12,
    title_font_size=14, value_font_size=11,
)


def _config(**extra):
    return {**dict(style=STYLE, js=[], disable_xml_declaration=True, print_values=False, show_legend=True,
                   legend_at_bottom=True, truncate_label=-1, truncate_legend=-1, width=720, height=360,
                   explicit_size=False), **extra}


def data_url(chart) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def indicators_vs_targets(title: str, labels: list[str], values: list[float | None],
                          targets: list[float | None]) -> str:
    chart = pygal.HorizontalBar(**_config(title=title, range=(0, 100), x_title="%"))
    chart.x_labels = labels
    chart.add("Значение", values)
    chart.add("Цель", targets)
    return data_url(chart)


def trend(title: str, years: list[str], series: dict[str, list[float | None]]) -> str:
    chart = pygal.Line(**_config(title=title, range=(0, 100), y_title="%"))
    chart.x_labels = years
    for name, values in series.items():
        chart.add(name, values)
    return data_url(chart)


def side_by_side(title: str, schools: list[str], values: list[float | None], target: float | None) -> str:
    chart = pygal.HorizontalBar(**_config(title=title, range=(0, 100), x_title="%",
                                          height=max(240, 40 * len(schools) + 120)))
    chart.x_labels = schools
    chart.add("Значение", values)
    if target is not None:
        chart.add("Цель", [target] * len(schools))
    return data_url(chart)
