"""The staff report: replies per day by kind, fallback rate, most served and least helpful entries.

Works on any SQLAlchemy connection (no Flask), SQLite or PostgreSQL, so it can be tested on a database
made in the test.
The chart is drawn here as SVG with presentation attributes only: no script, no inline style, so
the page's Content-Security-Policy needs no exception for it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.sax.saxutils import escape

from sqlalchemy import Connection, case, func, select

from .grouping import QuestionGroup
from .schema import feedback, reply

KIND_COLOURS = {  # colours with at least 3:1 contrast against white, as WCAG asks of chart parts
    "answer": "#1d6b3a",
    "clarify": "#6b4c00",
    "fallback": "#a32020",
    "smalltalk": "#4a4a8a",
    "urgent": "#000000",
}


@dataclass(frozen=True)
class EntryStats:
    """How often an entry was served and how it was rated."""

    entry_id: str
    served: int
    helpful: int = 0
    unhelpful: int = 0

    @property
    def helpful_share(self) -> float | None:
        """Share of votes that said helpful, or None without votes."""
        votes = self.helpful + self.unhelpful
        return self.helpful / votes if votes else None


@dataclass(frozen=True)
class Report:
    """Everything the report page and its CSV show for a period."""

    first_day: date
    last_day: date
    per_day: dict[date, dict[str, int]]
    totals: dict[str, int]
    most_served: list[EntryStats]
    least_helpful: list[EntryStats]
    unanswered: list[QuestionGroup] | None = field(default=None)
    declined_topics: list[tuple[str, int]] = field(default_factory=list)  # (topic id, declines), most first

    @property
    def replies(self) -> int:
        """All replies in the period."""
        return sum(self.totals.values())

    @property
    def fallback_rate(self) -> float:
        """Share of replies that were fallbacks (0 when there were none)."""
        return self.totals.get("fallback", 0) / self.replies if self.replies else 0.0


def build_report(db: Connection, *, days: int = 30, today: date, limit: int = 10) -> Report:
    """Summarise the last `days` days up to and including `today` (UTC dates)."""
    first = today - timedelta(days=days - 1)
    since = first.isoformat()
    per_day = {first + timedelta(days=n): dict.fromkeys(KIND_COLOURS, 0) for n in range(days)}
    day = func.substr(reply.c.created, 1, 10)
    rows = db.execute(
        select(day, reply.c.kind, func.count()).where(reply.c.created >= since).group_by(day, reply.c.kind)
    )
    totals = dict.fromkeys(KIND_COLOURS, 0)
    for day_text, kind, count in rows:
        bucket = per_day.get(date.fromisoformat(day_text))
        if bucket is not None and kind in bucket:
            bucket[kind] += count
            totals[kind] += count
    served = dict(
        db.execute(
            select(reply.c.entry_id, func.count())
            .where(reply.c.created >= since, reply.c.entry_id.is_not(None))
            .group_by(reply.c.entry_id)
        ).all()
    )
    votes = {
        entry_id: (up, down)
        for entry_id, up, down in db.execute(
            select(feedback.c.entry_id, *_vote_sums()).where(feedback.c.created >= since).group_by(feedback.c.entry_id)
        )
    }
    stats = [EntryStats(e, served.get(e, 0), *votes.get(e, (0, 0))) for e in sorted(set(served) | set(votes))]
    most_served = sorted(stats, key=lambda s: (-s.served, s.entry_id))[:limit]
    rated = [s for s in stats if s.unhelpful]
    least_helpful = sorted(rated, key=lambda s: (s.helpful_share, -s.unhelpful, s.entry_id))[:limit]
    declined = db.execute(
        select(reply.c.topic, func.count())
        .where(reply.c.created >= since, reply.c.topic.is_not(None))
        .group_by(reply.c.topic)
    ).all()
    declined_topics = sorted(((topic, count) for topic, count in declined), key=lambda row: (-row[1], row[0]))
    return Report(first, today, per_day, totals, most_served, least_helpful, declined_topics=declined_topics)


def entry_stats(db: Connection, entry_id: str) -> EntryStats:
    """Return all-time figures for one entry (for its staff page)."""
    served = db.execute(select(func.count()).where(reply.c.entry_id == entry_id)).scalar_one()
    up, down = db.execute(select(*_vote_sums()).where(feedback.c.entry_id == entry_id)).one()
    return EntryStats(entry_id, served, up, down)


def _vote_sums() -> tuple:
    """Helpful and unhelpful votes (0 without any); PostgreSQL cannot sum a comparison as SQLite does."""
    return tuple(func.coalesce(func.sum(case((feedback.c.vote == vote, 1), else_=0)), 0) for vote in (1, -1))


def chart_svg(report: Report, *, width: int = 720, height: int = 240) -> str:
    """Draw replies per day as stacked bars, one colour per kind, with a text title for screen readers."""
    days = list(report.per_day.items())
    top = max((sum(counts.values()) for _, counts in days), default=0) or 1
    plot_height, bar_gap, left = height - 40, 2, 40
    bar_width = max(2, (width - left) // max(1, len(days)) - bar_gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title" class="report-chart">',
        f'<title id="chart-title">Replies per day by kind, {report.first_day} to {report.last_day}: '
        f"{report.replies} replies, {report.totals.get('fallback', 0)} fallbacks</title>",
        f'<line x1="{left}" y1="{plot_height}" x2="{width}" y2="{plot_height}" stroke="#555555"/>',
        f'<text x="{left - 6}" y="12" text-anchor="end" font-size="12" fill="#222222">{top}</text>',
        f'<text x="{left - 6}" y="{plot_height}" text-anchor="end" font-size="12" fill="#222222">0</text>',
    ]
    for index, (day, counts) in enumerate(days):
        x = left + index * (bar_width + bar_gap)
        y = plot_height
        for kind, count in counts.items():
            if not count:
                continue
            bar = round(count / top * (plot_height - 10))
            y -= bar
            parts.append(
                f'<rect x="{x}" y="{y}" width="{bar_width}" height="{bar}" fill="{KIND_COLOURS[kind]}">'
                f"<title>{escape(day.isoformat())}: {count} {kind}</title></rect>"
            )
        last = index == len(days) - 1
        # A label every 7 days, and the last day's unless it would collide with the previous label.
        if index % 7 == 0 or (last and index % 7 > 3):
            parts.append(
                f'<text x="{x}" y="{height - 22}" font-size="11" fill="#222222">{escape(day.strftime("%d %b"))}</text>'
            )
    legend_x = left
    for kind, colour in KIND_COLOURS.items():
        parts.append(f'<rect x="{legend_x}" y="{height - 12}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 14}" y="{height - 3}" font-size="11" fill="#222222">{kind}</text>')
        legend_x += 90
    parts.append("</svg>")
    return "".join(parts)


def report_csv(report: Report, questions: dict[str, str]) -> str:
    """Return the report as CSV: daily counts, then entries, then unanswered groups when kept."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "date or entry", *KIND_COLOURS, "served", "helpful", "unhelpful", "question"])
    for day, counts in report.per_day.items():
        writer.writerow(["per day", day.isoformat(), *(counts[k] for k in KIND_COLOURS), "", "", "", ""])
    for section, rows in (("most served", report.most_served), ("least helpful", report.least_helpful)):
        for s in rows:
            blanks = [""] * len(KIND_COLOURS)
            writer.writerow(
                [section, s.entry_id, *blanks, s.served, s.helpful, s.unhelpful, questions.get(s.entry_id, "")]
            )
    for group in report.unanswered or []:
        writer.writerow(
            ["unanswered", "", *[""] * len(KIND_COLOURS), group.count, "", "", _safe_cell(group.representative)]
        )
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """Stop a spreadsheet from running a patient's text as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
