"""Chart helpers shared by the pages."""

from __future__ import annotations

import altair as alt
import pandas as pd

# The segment types where every customer is in exactly one segment on a date: a from -> to matrix is defined.
EXCLUSIVE_TYPES = ("behavioral", "rfm", "lifecycle", "value", "engagement", "journey")


def heatmap(
    frame: pd.DataFrame, x: str, y: str, color: str, title: str, text_format: str = ",.0f", row_height: int = 28
) -> alt.LayerChart:
    """A matrix of coloured cells with each cell's number written on it."""
    # Streamlit fits the whole chart (title, rotated axis labels, plot) into the height: leave room for them.
    height = row_height * max(frame[y].nunique(), 4) + 170
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:N", title=x.replace("_", " "), sort=None, axis=alt.Axis(labelAngle=-30, labelLimit=140)),
        y=alt.Y(f"{y}:N", title=y.replace("_", " "), sort=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(f"{color}:Q", title=color.replace("_", " "), scale=alt.Scale(scheme="blues")),
        tooltip=[x, y, alt.Tooltip(f"{color}:Q", format=text_format)],
    )
    labels = base.mark_text(fontSize=10).encode(text=alt.Text(f"{color}:Q", format=text_format))
    return (cells + labels).properties(title=title, height=height)


def line(frame: pd.DataFrame, x: str, y: str, series: str, title: str, height: int = 300) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:T", title=x.replace("_", " ")),
            y=alt.Y(f"{y}:Q", title=y.replace("_", " ")),
            color=alt.Color(f"{series}:N", title=series.replace("_", " ")),
            tooltip=[series, alt.Tooltip(f"{x}:T"), y],
        )
        .properties(title=title, height=height)
    )
