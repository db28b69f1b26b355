"""/statistik's texts (handlers.staff.stats_text) with the largest numbers and the longest
lists: every message at most 600 characters, nothing lost between pages; answer times in
hours, then days; the chart's series are the rows' figures under the message's labels."""

from __future__ import annotations

from bot.i18n import create_i18n
from handlers.staff import stats_text
from handlers.staff.stats_chart import chart_series
from services.stats import AreaNumbers
from services.stats_volunteers import VolunteerNumbers
from tests.harness import t

BIG = 12_345_678


def _big_row() -> AreaNumbers:
    return AreaNumbers(code="32.16", name="Kabupaten", households=BIG, linked=BIG,
                       reports_7=BIG, reports_30=BIG, visits_7=BIG, visits_30=BIG, verified=BIG,
                       waiting=BIG, extreme_poor=BIG, trainings=BIG, collected=BIG,
                       recipients=BIG, cases_open=BIG, cases_overdue=BIG, answered_30=BIG,
                       answer_hours=BIG * 1000.0)  # fmt: skip


def test_a_card_with_huge_numbers_is_paged_without_losing_a_line() -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        row = _big_row()
        lines = stats_text.card_lines("Kecamatan Tarumajaya Sukatani Cikarang", row)
        pages = stats_text.card_pages("Kecamatan Tarumajaya Sukatani Cikarang", row)
        summary = stats_text.summary_pages([row] * 3, {k: BIG for k in range(1, 11)})
    assert len(pages) == 2 and all(len(p) <= 600 for p in pages + summary)
    assert "\n".join(pages) == "\n".join(lines)
    assert summary[0].startswith("📊 Kabupaten Bekasi")


def test_volunteer_pages_fit_and_keep_every_volunteer_in_order() -> None:
    people = [
        VolunteerNumbers(account_id=k, name=f"Nama Pendamping Yang Sangat Panjang {k}",
                         role="psm", area_code="x", area_name="Sukamekar Jaya Baru Sekali",
                         visits_30=BIG, closed_30=BIG, area_open=BIG, area_overdue=BIG,
                         answered_30=BIG, answer_hours=BIG * 50.0)
        for k in range(40)
    ]  # fmt: skip
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        pages = stats_text.volunteer_pages("Setu", people)
        blocks = [stats_text.volunteer_block(p) for p in people]
        empty = stats_text.volunteer_pages("Setu", [])
    assert all(len(p) <= 600 for p in pages)
    for k, page in enumerate(pages, 1):
        header = t("👥 Volunteers of Kecamatan {name}, last 30 days (page {page} of {pages}):",
                   name="Setu", page=k, pages=len(pages))  # fmt: skip
        assert page.startswith(header + "\n")
    body = "\n".join(page.split("\n", 1)[1] for page in pages)
    assert body == "\n".join(blocks)
    assert "👤 Nama Pendamping Yang Sangat Pa · PSM" in body  # names cut at 30 characters
    assert empty == [t("No PSM or TKSK registered in Kecamatan {name} yet.", name="Setu")]


def test_answer_times_read_in_hours_then_days() -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        said = [stats_text.duration(h) for h in (0.25, 5, 22.44, 47.9, 60, 240)]
        none = stats_text.answer_line(0, None)
    assert said == ["0,2 jam", "5 jam", "22,4 jam", "47,9 jam", "2,5 hari", "10 hari"]
    assert none == t("First answer: no case answered in the last 30 days")


def test_the_chart_draws_the_rows_figures_under_the_messages_labels() -> None:
    rows = [
        AreaNumbers(code="a", name="A", households=5, extreme_poor=2, recipients=4, collected=3,
                    cases_open=6, cases_overdue=1),
        AreaNumbers(code="b", name="B", households=7, extreme_poor=1, recipients=2, collected=2,
                    cases_open=0, cases_overdue=0),
    ]  # fmt: skip
    labels = {key: f"<{key}>" for key in stats_text.LABELS}
    drawn = {s.label: s.values for panel in chart_series(rows, labels) for s in panel}
    assert drawn == {
        "<households>": [5, 7], "<extreme>": [2, 1], "<recipients>": [4, 2],
        "<collected>": [3, 2], "<open>": [6, 0], "<overdue>": [1, 0],
    }  # fmt: skip
