"""Charts drawn on the server: Vega-Lite specifications rendered to SVG with vl-convert.

The page shows them without JavaScript, and each one sits beside the table of its numbers.
A hidden (suppressed) count is left out of its chart, as it is blank in its table.
"""

from __future__ import annotations

import json
from functools import cache

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from corridor.flows.presentation import Table

FONT = "Noto Sans, Noto Naskh Arabic, Noto Sans Ethiopic, DejaVu Sans, sans-serif"
# d3-format locales, so that axes write numbers as the page does ("1 000", "1,000").
NUMBER_LOCALES = {"fr": "fr-FR", "en": "en-US", "ar": "ar-001"}
COLOUR = "#0b5cad"


def _points(table: Table) -> list[dict]:
    return [
        {"label": row.label, "value": row.cell.value}
        for row in table.rows
        if not row.cell.suppressed and row.cell.value
    ]


def _render(spec: dict) -> SafeString:
    import vl_convert

    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "grid": False},
        },
        **spec,
    }
    # The SVG is made from our own numbers and labels, which Vega escapes as text.
    locale = NUMBER_LOCALES.get((get_language() or "fr")[:2], "fr-FR")
    return mark_safe(vl_convert.vegalite_to_svg(spec, format_locale=locale))  # noqa: S308


def bar_chart(table: Table) -> SafeString:
    """Horizontal bars, largest first, as the table lists them."""
    points = _points(table)
    if not points:
        return mark_safe("")
    return _render(
        {
            "data": {"values": points},
            "mark": {"type": "bar", "color": COLOUR},
            "width": 260,
            "height": {"step": 18},
            "encoding": {
                "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
                "x": {"field": "value", "type": "quantitative", "title": None},
            },
        }
    )


def line_chart(table: Table) -> SafeString:
    """A series over time (months or days), in time order."""
    points = sorted(_points(table), key=lambda point: point["label"])
    if len(points) < 2:
        return bar_chart(table)
    return _render(
        {
            "data": {"values": points},
            "mark": {"type": "line", "point": True, "color": COLOUR},
            "width": 320,
            "height": 140,
            "encoding": {
                "x": {"field": "label", "type": "ordinal", "title": None},
                "y": {"field": "value", "type": "quantitative", "title": None},
            },
        }
    )


@cache
def _outlines() -> list[dict]:
    path = settings.BASE_DIR / "static" / "data" / "horn-of-africa.geojson"
    return json.loads(path.read_text())["features"]


def point_map(table: Table) -> SafeString:
    """Movements by point as circles over Djibouti's outline (no tile server, nothing fetched).

    `table` is the dashboard's table by point (row keys are point codes). Points without
    coordinates are left out; approximate coordinates are drawn all the same.
    """
    from corridor.places.models import FlowMonitoringPoint

    shown = {row.key: row.cell.value for row in table.rows if not row.cell.suppressed}
    places = FlowMonitoringPoint.objects.filter(code__in=shown, latitude__isnull=False)
    points = [
        {
            "name": place.name,
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
            "movements": shown[place.code],
        }
        for place in places
        if shown[place.code]
    ]
    if not points:
        return mark_safe("")
    outlines = _outlines()
    djibouti = next(f for f in outlines if f["properties"]["iso_a3"] == "DJI")
    where = {
        "latitude": {"field": "latitude", "type": "quantitative"},
        "longitude": {"field": "longitude", "type": "quantitative"},
    }
    return _render(
        {
            "width": 360,
            "height": 300,
            "projection": {"type": "mercator", "fit": djibouti},
            "layer": [
                {
                    "data": {"values": outlines},
                    # Clipped: the neighbours reach far beyond the frame fitted to Djibouti.
                    "mark": {
                        "type": "geoshape",
                        "fill": "#eef0f3",
                        "stroke": "#9aa3ad",
                        "clip": True,
                    },
                },
                {
                    "data": {"values": [djibouti]},
                    "mark": {"type": "geoshape", "fill": "#dfe7f1", "stroke": "#5b6575"},
                },
                {
                    "data": {"values": points},
                    "mark": {"type": "circle", "color": COLOUR, "opacity": 0.7},
                    "encoding": {
                        **where,
                        "size": {
                            "field": "movements",
                            "type": "quantitative",
                            "legend": None,
                            "scale": {"range": [30, 900]},
                        },
                    },
                },
                {
                    "data": {"values": points},
                    "mark": {"type": "text", "dy": -12, "fontSize": 10},
                    "encoding": {**where, "text": {"field": "name"}},
                },
            ],
        }
    )
