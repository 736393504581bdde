"""Server-side SVG charts for the dashboard.

Hand-written SVG rather than a charting package: the three shapes we need (a funnel, horizontal bars, paired
columns) are a few dozen lines each, render with no JavaScript, need no CDN or extra dependency, style through
classes in app.css (so a strict CSP needs no inline styles) and every label goes through Django's escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.templatetags.formatting import format_percent

WIDTH = 640


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the number as shown next to the bar
    href: str = ""


def _svg(
    height: int, title: str, parts: list[str], *, width: int = WIDTH, css: str = "chart", role: str = "img"
) -> SafeString:
    # Each part is already format_html output; joining through format_html_join keeps that guarantee checked.
    body = format_html_join("", "{}", ((part,) for part in parts))
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" width="100%" role="{}" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        css,
        width,
        height,
        role,
        title,
        title,
        body,
    )


def funnel_chart(stages: Sequence[dict], *, title: str = "Lead funnel") -> SafeString:
    """Draw the funnel: one trapezoid per stage, its width proportional to its count, linked to its leads.

    The chart is a group of links, not an image: an image's children are hidden from assistive technology, and a
    link inside one is a control nested in another. Each link is named by the text it shows.
    """
    row, gap, label_w = 56, 6, 190
    area = WIDTH - label_w - 10
    top = max((s["count"] for s in stages), default=0) or 1
    centre = label_w + area / 2
    parts = []
    for i, stage in enumerate(stages):
        y = i * (row + gap)
        width = max(area * stage["count"] / top, 4)
        below = stages[i + 1]["count"] if i + 1 < len(stages) else stage["count"]
        next_width = max(area * below / top, 4)
        points = (
            f"{centre - width / 2:.1f},{y} {centre + width / 2:.1f},{y} "
            f"{centre + next_width / 2:.1f},{y + row} {centre - next_width / 2:.1f},{y + row}"
        )
        caption = f"{stage['label']}: {stage['count']:,}"
        detail = (
            "all leads in the range"
            if i == 0
            else f"{format_percent(stage['step_conversion'])} of previous · "
            f"{format_percent(stage['overall_conversion'])} of leads"
        )
        shape = format_html(
            '<a class="funnel-stage" data-stage="{}" href="{}"><polygon class="stage-{}" points="{}"/>'
            '<text class="funnel-label" x="8" y="{}">{}</text>'
            '<text class="funnel-count" x="8" y="{}">{}</text></a>',
            stage["key"],
            stage.get("href", "#"),
            i,
            points,
            y + 24,
            caption,
            y + 44,
            detail,
        )
        parts.append(shape)
    return _svg(len(stages) * (row + gap), title, parts, css="chart funnel", role="group")


def bar_chart(bars: Sequence[Bar], *, title: str) -> SafeString:
    """Draw labelled horizontal bars, each with its number printed beside it."""
    row, label_w, text_w = 26, 150, 190
    area = WIDTH - label_w - text_w
    top = max((b.value for b in bars), default=0) or 1
    parts = []
    for i, bar in enumerate(bars):
        y = i * row
        width = max(area * bar.value / top, 1 if bar.value else 0)
        parts.append(
            format_html(
                '<g class="bar"><text class="axis-label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>'
                '<text class="value" x="{}" y="{}">{}</text></g>',
                label_w - 8,
                y + 17,
                bar.label,
                label_w,
                y + 4,
                f"{width:.1f}",
                row - 8,
                bar.label,
                bar.text,
                f"{label_w + width + 6:.1f}",
                y + 17,
                bar.text,
            )
        )
    if not bars:
        parts.append(format_html('<text class="empty" x="{}" y="20" text-anchor="middle">No data</text>', WIDTH / 2))
    return _svg(max(len(bars) * row, 30), title, parts)


def column_pairs_chart(
    points: Sequence[tuple[str, float, float]], *, title: str, series: tuple[str, str]
) -> SafeString:
    """Draw two series as paired columns per x label (e.g. leads created vs converted per week), with a legend."""
    height, bottom, left, top_pad = 240, 40, 44, 28
    plot_h = height - bottom - top_pad
    top = max((max(a, b) for _x, a, b in points), default=0) or 1
    slot = (WIDTH - left - 10) / max(len(points), 1)
    col = max(min(slot / 2 - 2, 24), 1)
    parts = [
        format_html(
            '<rect class="series-0" x="{}" y="6" width="12" height="12"/><text x="{}" y="16">{}</text>'
            '<rect class="series-1" x="{}" y="6" width="12" height="12"/><text x="{}" y="16">{}</text>',
            left,
            left + 16,
            series[0],
            left + 140,
            left + 156,
            series[1],
        ),
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="axis-label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="axis-label" x="{}" y="{}" text-anchor="end">0</text>',
            left,
            height - bottom,
            WIDTH - 10,
            height - bottom,
            left - 4,
            top_pad + 10,
            f"{top:,.0f}",
            left - 4,
            height - bottom,
        ),
    ]
    label_every = max(1, len(points) // 8)
    for i, (x_label, a, b) in enumerate(points):
        x = left + i * slot + (slot - 2 * col) / 2
        for j, value in enumerate((a, b)):
            h = plot_h * value / top
            parts.append(
                format_html(
                    '<rect class="series-{}" x="{}" y="{}" width="{}" height="{}"><title>{} {}: {}</title></rect>',
                    j,
                    f"{x + j * col:.1f}",
                    f"{height - bottom - h:.1f}",
                    f"{col:.1f}",
                    f"{h:.1f}",
                    x_label,
                    series[j],
                    f"{value:,.0f}",
                )
            )
        if i % label_every == 0:
            parts.append(
                format_html(
                    '<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{x + col:.1f}",
                    height - bottom + 16,
                    x_label,
                )
            )
    return _svg(height, title, parts)
