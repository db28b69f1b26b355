"""The form engine's `time` field, `review` start, `summary_note` and `Done.context` (added for
the staff schedule and training forms), and the KK-list reader."""

from __future__ import annotations

import io
from datetime import date, time

import pytest
from openpyxl import Workbook

from bot.i18n import create_i18n
from conversations import Confirm, Done, Field, Form, Input, handle, parse_time, start
from conversations.engine import current_step
from conversations.validators import ValidationError
from domain.dates import format_time_id, wib_datetime
from services.kk_list import read_kk_file


@pytest.fixture(autouse=True)
def indonesian():
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        yield i18n


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", time(9, 0)),
        ("09.00", time(9, 0)),
        ("9:30", time(9, 30)),
        ("0930", time(9, 30)),
        ("13.45", time(13, 45)),
        ("jam 9 pagi", time(9, 0)),
        ("Pukul 14.00 WIB", time(14, 0)),
        ("jam 2 siang", time(14, 0)),
        ("11 siang", time(11, 0)),
        ("12 siang", time(12, 0)),
        ("4 sore", time(16, 0)),
        ("7 malam", time(19, 0)),
        ("12 malam", time(0, 0)),
        ("pkl. 8", time(8, 0)),
    ],
)
def test_parse_time_forgiving(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "25.00", "9.75", "besok", "9 30 pagi", "12345"])
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_time(text)
    assert "09.00" in error.value.render()


def test_wib_datetime_and_format() -> None:
    when = wib_datetime(date(2026, 12, 1), time(9, 0))
    assert when.utcoffset().total_seconds() == 7 * 3600
    assert format_time_id(time(9, 5)) == "09.05 WIB"


FORM = Form(
    name="t_time",
    title="T",
    fields=[
        Field("day", "date", "Day?"),
        Field("at", "time", "Time?"),
        Field("note", "text", "Note?", required=False),
    ],
    summary_note=lambda answers, context: f"for {context.get('n')} households",
)


def test_time_field_stores_hh_mm_and_types_it() -> None:
    state = start(FORM, context={"n": 3})
    handle(FORM, state, Input.from_text("1-12-2026"), today=date(2026, 11, 1))
    step = handle(FORM, state, Input.from_text("jam 9"))
    assert state["answers"]["at"] == "09:00"
    step = handle(FORM, state, Input.skip())
    assert isinstance(step, Confirm)
    assert "09.00 WIB" in step.question.text
    assert step.question.text.endswith("for 3 households")
    done = handle(FORM, state, Input.confirm())
    assert isinstance(done, Done)
    assert done.answers["at"] == time(9, 0) and done.answers["day"] == date(2026, 12, 1)
    assert done.context == {"n": 3}


def test_bad_time_keeps_the_question() -> None:
    state = start(FORM)
    handle(FORM, state, Input.from_text("1-12-2026"), today=date(2026, 11, 1))
    step = handle(FORM, state, Input.from_text("jam setengah"))
    assert step.error and state["i"] == 1


def test_review_opens_at_the_summary_with_initial_answers() -> None:
    initial = {"day": date(2026, 12, 1), "at": time(13, 30), "note": None}
    state = start(FORM, initial=initial, context={"id": 4}, review=True)
    assert isinstance(current_step(FORM, state), Confirm)
    assert state["answers"]["at"] == "13:30"
    # without review the first question is asked, answers offered as "Keep"
    state = start(FORM, initial=initial)
    assert state["phase"] == "ask" and state["i"] == 0
    # review with a missing answer asks it
    state = start(FORM, initial={"day": date(2026, 12, 1)}, review=True)
    assert state["phase"] == "ask" and FORM.fields[state["i"]].name == "at"


KK_A, KK_B = "3216180101200001", "3216180101200002"


def test_kk_file_text_csv_and_xlsx() -> None:
    text = f"No KK\n{KK_A}\n3216.1801.0120.0002\n{KK_A}\n12345\n\n".encode()
    parsed = read_kk_file(text)
    assert parsed.numbers == [KK_A, KK_B] and parsed.invalid_rows == 1

    csv = f"nama;no_kk;rt\nSiti;{KK_B};003\nBudi;'{KK_A};004\nX;3.21618E+15;1\n".encode()
    parsed = read_kk_file(csv)
    assert parsed.numbers == [KK_B, KK_A] and parsed.invalid_rows == 1

    book = Workbook()
    sheet = book.active
    sheet.append(["no_kk", "nama"])
    sheet.append([KK_A, "Siti"])
    sheet.append([int(KK_B), "Budi"])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_kk_file(buffer.getvalue())
    assert parsed.numbers == [KK_A, KK_B] and parsed.invalid_rows == 0
