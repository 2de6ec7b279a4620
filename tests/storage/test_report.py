"""The staff report's figures, chart and CSV, computed from a real database: SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from faqbot.storage import schema
from faqbot.storage.grouping import QuestionGroup
from faqbot.storage.report import build_report, chart_svg, entry_stats, report_csv

TODAY = date(2026, 11, 21)


@pytest.fixture
def stats_db(connection):
    """A statistics database with a few days of replies and votes."""
    rows = [
        ("2026-11-21T09:00:00", "answer", "healing-time"),
        ("2026-11-21T09:05:00", "answer", "healing-time"),
        ("2026-11-21T10:00:00", "fallback", None),
        ("2026-11-20T10:00:00", "answer", "crown"),
        ("2026-11-20T11:00:00", "urgent", None),
        ("2026-10-01T11:00:00", "answer", "crown"),  # outside a 30-day report
    ]
    connection.execute(
        schema.reply.insert(),
        [{"created": c, "channel": "api", "kind": k, "entry_id": e, "confidence": 0.9} for c, k, e in rows],
    )
    votes = [
        ("2026-11-21", "crown", -1),
        ("2026-11-21", "crown", -1),
        ("2026-11-21", "healing-time", 1),
        ("2026-11-20", "healing-time", -1),
    ]
    connection.execute(schema.feedback.insert(), [{"created": c, "entry_id": e, "vote": v} for c, e, v in votes])
    return connection


def test_counts_per_day_and_kind(stats_db):
    """Replies are counted per day and kind within the period, and the fallback rate follows."""
    report = build_report(stats_db, days=30, today=TODAY)
    assert report.per_day[TODAY]["answer"] == 2 and report.per_day[TODAY]["fallback"] == 1
    assert report.per_day[date(2026, 11, 20)]["urgent"] == 1
    assert len(report.per_day) == 30 and report.replies == 5
    assert report.fallback_rate == pytest.approx(1 / 5)


def test_most_served_and_least_helpful(stats_db):
    """The most served entry comes first; an entry voted down most comes first among the least helpful."""
    report = build_report(stats_db, days=30, today=TODAY)
    assert [(s.entry_id, s.served) for s in report.most_served] == [("healing-time", 2), ("crown", 1)]
    assert [s.entry_id for s in report.least_helpful] == ["crown", "healing-time"]
    assert report.least_helpful[1].helpful_share == 0.5


def test_entry_stats_are_all_time(stats_db):
    """An entry's page shows every time it was served and every vote."""
    stats = entry_stats(stats_db, "crown")
    assert (stats.served, stats.helpful, stats.unhelpful) == (2, 0, 2)


def test_chart_is_plain_svg_with_a_title(stats_db):
    """The chart is SVG with a text alternative, and no script or inline style."""
    svg = chart_svg(build_report(stats_db, days=30, today=TODAY))
    assert svg.startswith("<svg") and "<title" in svg and "5 replies, 1 fallbacks" in svg
    assert "<script" not in svg and "style=" not in svg


def test_empty_database_gives_an_empty_report(tmp_path, stats_db):
    """No replies yet: zeros, no division by zero, a chart that still draws."""
    stats_db.execute(schema.reply.delete())
    report = build_report(stats_db, days=7, today=TODAY)
    assert report.replies == 0 and report.fallback_rate == 0.0
    assert "<svg" in chart_svg(report)


def test_csv_export_has_every_section_and_defuses_formulas(stats_db):
    """The CSV lists days, entries and unanswered groups; a question starting with '=' cannot run as a formula."""
    report = build_report(stats_db, days=30, today=TODAY)
    report = report.__class__(**{**report.__dict__, "unanswered": [QuestionGroup("=HYPERLINK(1)", 3, ())]})
    rows = list(csv.reader(io.StringIO(report_csv(report, {"crown": "How is the implant crown made and fitted?"}))))
    sections = {row[0] for row in rows[1:]}
    assert sections == {"per day", "most served", "least helpful", "unanswered"}
    assert rows[[r[0] for r in rows].index("least helpful")][:2] == ["least helpful", "crown"]
    assert rows[-1][-1] == "'=HYPERLINK(1)"


def test_chart_day_labels_never_collide(stats_db):
    """Day labels are a week apart; the last day gets a label only when it is not next to the previous one."""
    for days in (7, 30, 90):
        svg = chart_svg(build_report(stats_db, days=days, today=TODAY))
        positions = sorted(float(x) for x in re.findall(r'<text x="(\d+)" y="\d+" font-size="11"', svg)[:-5])
        bar = (720 - 40) // days
        assert all(b - a > 3 * bar for a, b in zip(positions, positions[1:], strict=False)), days


def test_declines_are_counted_by_topic_within_the_period(connection):
    """Declines for topics the sources do not cover are counted per topic, most first, without any patient text."""
    rows = [
        ("2026-11-21T09:00:00", "cost"),
        ("2026-11-20T09:00:00", "cost"),
        ("2026-11-19T09:00:00", "insurance"),
        ("2026-09-01T09:00:00", "insurance"),  # outside a 30-day report
    ]
    connection.execute(
        schema.reply.insert(),
        [{"created": c, "channel": "api", "kind": "fallback", "confidence": 0.2, "topic": t} for c, t in rows],
    )
    report = build_report(connection, days=30, today=TODAY)
    assert report.declined_topics == [("cost", 2), ("insurance", 1)]
