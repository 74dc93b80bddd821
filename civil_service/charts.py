"""The work-plan timeline: activities by year and status, drawn as SVG on the
server (no script), with a title, a description and a data table beside it."""

from django.db.models import Count

from .models import Activity

# One colour per status, each with at least 4.5:1 contrast against white.
COLOURS = {
    Activity.Progress.PROPOSED: "#5b5b5b",
    Activity.Progress.CONCEPT_NOTE_APPROVED: "#0b4fa8",
    Activity.Progress.IN_PROGRESS: "#8a4b00",
    Activity.Progress.COMPLETED: "#1f6f43",
    Activity.Progress.POSTPONED: "#a50e1b",
}
BAR_WIDTH, BAR_GAP, UNIT, LEFT, TOP, AXIS = 56, 28, 28, 48, 16, 40


def timeline(activities):
    """Counts per (year, status) and the geometry of a stacked bar chart."""
    rows = (
        activities.exclude(start_year__isnull=True)
        .order_by()
        .values_list("start_year", "progress")
        .annotate(count=Count("pk"))
    )
    counts = {}
    for year, status, count in rows:
        counts.setdefault(year, {})[status] = count
    years = list(range(min(counts), max(counts) + 1)) if counts else []
    statuses = [(value, label, COLOURS[value]) for value, label in Activity.Progress.choices]
    tallest = max((sum(by_status.values()) for by_status in counts.values()), default=0)
    height = TOP + tallest * UNIT + AXIS
    bars = []
    for index, year in enumerate(years):
        x = LEFT + index * (BAR_WIDTH + BAR_GAP)
        y = TOP + tallest * UNIT
        segments = []
        for value, label, colour in statuses:
            count = counts.get(year, {}).get(value, 0)
            if count:
                y -= count * UNIT
                segments.append(
                    {
                        "y": y,
                        "height": count * UNIT,
                        "colour": colour,
                        "label": label,
                        "count": count,
                    }
                )
        bars.append(
            {
                "year": year,
                "x": x,
                "label_x": x + BAR_WIDTH / 2,
                "total": sum(counts.get(year, {}).values()),
                "top": y,
                "segments": segments,
            }
        )
    table = [
        {"year": year, "cells": [counts.get(year, {}).get(value, 0) for value, _l, _c in statuses]}
        for year in years
    ]
    return {
        "years": years,
        "bars": bars,
        "statuses": statuses,
        "table": table,
        "width": LEFT + len(years) * (BAR_WIDTH + BAR_GAP),
        "height": height,
        "baseline": TOP + tallest * UNIT,
        "bar_width": BAR_WIDTH,
        "total": sum(row for by_status in counts.values() for row in by_status.values()),
    }
