"""Every field of every form has a short label (the summary and the "change" buttons show it,
never the whole question), in Indonesian too; a field without one shows its question clipped."""

from __future__ import annotations

import conversations.field_visit
import conversations.lapor
import conversations.schedule_form
import conversations.training_form
import conversations.usulan  # noqa: F401  (each module registers its forms)
from conversations import Field, Form, start, summary_lines
from conversations.schema import _REGISTRY
from conversations.screens import LABEL_CHARS, short_label
from tests.harness import in_id

FORMS = sorted(_REGISTRY.values(), key=lambda form: form.name)


def test_every_field_of_every_form_has_a_short_label() -> None:
    assert len(FORMS) >= 8  # lapor, two usulan, correction, two visits, schedule, training
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
