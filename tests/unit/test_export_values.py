"""The reports' value layer: every question of the forms has its column, codes become
Indonesian words, and cells get the formats staff need."""

from __future__ import annotations

import datetime as dt

from conversations.field_visit import VISIT_PROPOSAL
from conversations.lapor import FORM as LAPOR
from conversations.schema import get_form
from services.export_values import (
    REPORT_ANSWERS,
    VISIT_ANSWERS,
    Link,
    answers,
    audience_words,
    cells,
    number_format,
    width,
    word,
)

# Kept in their own columns (a photo: a link the bot answers, services.photo_links).
NOT_ANSWER_COLUMNS = {"photo", "location", "outcome", "note"}


def test_every_form_question_has_a_column() -> None:
    lapor = {f.name for f in LAPOR.fields} - NOT_ANSWER_COLUMNS
    assert lapor == set(REPORT_ANSWERS) - {"note"}
    visit = {f.name for f in get_form(VISIT_PROPOSAL).fields} - NOT_ANSWER_COLUMNS
    assert visit == set(VISIT_ANSWERS)


def test_codes_become_words() -> None:
    assert word(True) == "Ya" and word(False) == "Tidak"
    assert word("enrolled") == "terdaftar" and word("notice") == "pemberitahuan"
    assert word("buruh_harian") == "buruh harian"
    assert word(["food", "school"]) == "pangan, biaya sekolah"
    assert word("Rumah bocor_parah di RT 2") == "Rumah bocor_parah di RT 2"  # free text kept
    row = answers({"gone": ["7"], "work": "karyawan"}, VISIT_ANSWERS, {7: "Rizky"})
    assert row[0] == "Rizky" and row[4] == "karyawan"


def test_formats() -> None:
    assert number_format("3216181503120001", "no_kk") == "@"
    assert number_format("3216181205780003", "nik_kepala") == "@"
    assert number_format(dt.datetime(2026, 1, 1, 9), "tanggal") == "DD/MM/YYYY HH:MM"
    assert number_format(dt.date(2026, 1, 1), "lahir") == "DD/MM/YYYY"
    assert number_format("Setu", "kecamatan") is None
    # A list's own headers are read like ours: "NIK", "No KK", "Kode Kemdagri" stay text.
    assert number_format("3216181205780003", "NIK") == "@"
    assert number_format("3216181503120001", "No KK") == "@"
    assert number_format("3216182005", "Kode Kemdagri") == "@"
    assert number_format("010", "KDKEC") == "@"
    assert width("NIK") == 20 and width("Foto Kunjungan") == 45


def test_a_trainings_announcement_audience_in_words() -> None:
    audience = {"type": "kecamatan", "codes": ["32.16.18"],
                "ages": {"min": 15, "max": 64, "on": "2030-05-06"}}  # fmt: skip
    assert audience_words(audience, {"32.16.18": "Setu"}) == (
        "kecamatan Setu; usia 15-64 tahun"
    )


def test_links_and_written_words() -> None:
    from openpyxl import Workbook

    sheet = Workbook(write_only=True).create_sheet("x")
    url = "https://t.me/nirmiskin_bot?start=foto_kunjungan_7"
    link, plain, code = cells(sheet, ["foto", "lampiran", "hubungan"],
                              [Link(url), Link("/start foto_kasus_3"), "orang_tua"])  # fmt: skip
    assert link.value == url and link.hyperlink.target == url and link.style == "Hyperlink"
    assert plain.value == "/start foto_kasus_3" and plain.hyperlink is None  # kept as written
    assert code == "orang tua"  # a code in words...
    # ...unless the report wrote its values itself (our template must read back exactly).
    assert cells(sheet, ["pekerjaan", "sekolah"], ["work", True], words=False) == ["work", "Ya"]
