"""Every field of every form has a short label (the summary and the "change" buttons show it,
never the whole question), in Indonesian too; a field without one shows its question clipped."""

from __future__ import annotations

from conversations import (
    Field,
    Form,
    field_visit,
    get_form,
    lapor,
    schedule_form,
    start,
    summary_lines,
    training_form,
    usulan,
)
from conversations.screens import LABEL_CHARS, short_label
from tests.harness import in_id

# The bot's forms (other tests register forms of their own).
FORMS = [
    get_form(name)
    for name in (
        lapor.FORM_NAME, usulan.RESIDENT_FORM, usulan.VOLUNTEER_FORM, usulan.CORRECTION_FORM,
        *field_visit.FORMS, schedule_form.FORM_NAME, training_form.FORM_NAME,
    )
]  # fmt: skip


def test_every_field_of_every_form_has_a_short_label() -> None:
    for form in FORMS:
        for field in form.fields:
            assert field.label is not None, (form.name, field.name)
            label = in_id(short_label, field)
            assert 1 <= len(label.split()) <= 4, (form.name, field.name, label)
            assert len(label) <= 30 and label != in_id(str, field.question), label


def test_the_summary_shows_labels_and_a_field_without_one_its_question_clipped() -> None:
    long_question = "Apa yang ingin Bapak/Ibu sampaikan kepada petugas dinas sosial hari ini?"
    form = Form(
        name="test_labels",
        title="Uji",
        fields=[
            Field("work", "text", "Apa pekerjaan utama kepala keluarga?", label="Pekerjaan"),
            Field("note", "text", long_question),
        ],
    )
    state = start(form, initial={"work": "Buruh", "note": "Atap bocor"}, review=True)
    lines = in_id(summary_lines, form, state)
    assert lines[0] == "Pekerjaan: Buruh"
    assert lines[1] == long_question[: LABEL_CHARS - 1] + "…: Atap bocor"
