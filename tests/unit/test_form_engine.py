"""The form engine driven without Telegram, plus the aiogram adapter's keyboards and
FSM glue (with an in-process stand-in for the Bot API)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    InlineKeyboardMarkup,
    Location,
    Message,
    PhotoSize,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    User,
)

from bot.i18n import create_i18n
from conversations import (
    Ask,
    Cancelled,
    Confirm,
    Done,
    Field,
    Form,
    FormCallback,
    FormFlow,
    Input,
    Option,
    begin,
    get_form,
    handle,
    input_from_callback,
    input_from_message,
    question,
    register_form,
    render,
    run_step,
    start,
)

TODAY = date(2025, 9, 1)
NIK = "3216065212850001"
USER_ID = 1001


@pytest.fixture(autouse=True)
def indonesian():
    """The real Indonesian catalog of the project."""
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        yield i18n


# A mini self-report. Labels are plain strings here; real forms use lazy __("...").
HOUSING = [Option("own", "Own house"), Option("rent", "Rent"), Option("family", "With family")]
NEEDS = [Option("food", "Food"), Option("health", "Health"), Option("school", "School fees")]

SELF_REPORT = register_form(
    Form(
        name="test_self_report",
        title="Self report",
        fields=[
            Field("housing", "choice", "Housing", options=HOUSING),
            Field("rent", "rupiah", "Monthly rent", ask_if=lambda a: a.get("housing") == "rent"),
            Field("income", "rupiah", "Monthly income", max=100_000_000),
            Field(
                "members",
                "integer",
                "Household members",
                min=1,
                max=30,
                prefill=lambda answers, ctx: ctx.get("members"),
            ),
            Field("needs", "multi", "Needs", options=NEEDS),
            Field("photo", "photo", "Photo of the house", required=False),
            Field("nik", "nik", "NIK"),
            Field("phone", "phone", "Phone number"),
            Field("visited", "date", "Visit date", max=lambda today: today),
            Field("location", "location", "House location"),
        ],
    )
)


def tokens(q) -> list[str]:
    return [token for row in q.buttons for _label, token in row]


def labels(q) -> list[str]:
    return [label for row in q.buttons for label, _token in row]


def token_of(q, label_part: str) -> str:
    for row in q.buttons:
        for label, token in row:
            if label_part in label:
                return token
    raise AssertionError(f"no button {label_part!r} in {labels(q)}")


class Driver:
    """Feeds inputs to the engine and checks that no NIK leaks into any screen."""

    def __init__(self, form: Form = SELF_REPORT, **start_kw: Any) -> None:
        self.form = form
        self.state = start(form, **start_kw)
        self.steps: list[Any] = []

    @property
    def q(self):
        return question(self.form, self.state)

    @property
    def field(self) -> str | None:
        return self.q.field

    def send(self, inp: Input | str):
        if isinstance(inp, str):
            inp = Input.from_text(inp)
        step = handle(self.form, self.state, inp, today=TODAY)
        if isinstance(step, Ask | Confirm):
            q = step.question
            assert NIK not in q.text
            assert all(NIK not in x for x in labels(q) + tokens(q))
        self.steps.append(step)
        return step

    def tap(self, label_part: str):
        q = self.q
        return self.send(Input.button(token_of(q, label_part), at=q.index, run=q.run))

    def restart(self) -> None:
        """What the FSM storage does: JSON out, JSON in (e.g. across a bot restart)."""
        self.state = json.loads(json.dumps(self.state))


def fill_until(d: Driver, stop: str) -> None:
    """Answer the self-report with good answers until field ``stop`` is asked."""
    good = {
        "housing": lambda: d.tap("Rent"),
        "rent": lambda: d.send("750 rb"),
        "income": lambda: d.send("1,5 juta"),
        "members": lambda: d.send("4 orang"),
        "needs": lambda: (d.tap("Food"), d.tap("School"), d.tap("Selesai")),
        "photo": lambda: d.send(Input.photo("AgACfile")),
        "nik": lambda: d.send("3216 0652 1285 0001"),
        "phone": lambda: d.send(Input.contact("6281234567890", USER_ID, USER_ID)),
        "visited": lambda: d.send("17 agt 2025"),
        "location": lambda: d.send(Input.location(-6.2615, 107.1528)),
    }
    while d.state["phase"] == "ask" and d.field != stop:
        good[d.field]()


# --------------------------------------------------------------------------- happy path


def test_full_run_summary_and_done() -> None:
    d = Driver()
    first = d.q
    assert first.field == "housing" and first.text.startswith("Self report")
    assert not first.can_go_back and not first.can_skip
    assert labels(first)[-1] == "Batal" and "« Kembali" not in labels(first)

    fill_until(d, stop="__end__")
    step = d.steps[-1]
    assert isinstance(step, Confirm)
    assert step.summary_lines == [
        "Housing: Rent",
        "Monthly rent: Rp750.000",
        "Monthly income: Rp1.500.000",
        "Household members: 4",
        "Needs: Food, School fees",
        "Photo of the house: ✓ foto",
        "NIK: 3216********0001",
        "Phone number: 0812-3456-7890",
        "Visit date: Minggu, 17 Agustus 2025",
        "House location: ✓ lokasi",
    ]
    assert step.question.text.startswith("Mohon periksa kembali jawaban Bapak/Ibu:")
    assert labels(step.question)[:2] == ["✅ Benar, kirim", "✏️ Ubah"]

    done = d.tap("Benar")
    assert isinstance(done, Done) and done.form == "test_self_report"
    assert done.answers == {
        "housing": "rent",
        "rent": 750_000,
        "income": 1_500_000,
        "members": 4,
        "needs": ["food", "school"],
        "photo": "AgACfile",
        "nik": NIK,
        "phone": "+6281234567890",
        "visited": date(2025, 8, 17),
        "location": {"lat": -6.2615, "lon": 107.1528},
    }
    # a finished form stays finished
    assert isinstance(d.send("again"), Done)


def test_state_survives_json_round_trip_mid_form() -> None:
    d = Driver(context={"members": 5})
    fill_until(d, stop="needs")
    d.tap("Health")
    before = dict(d.state)
    d.restart()
    assert d.state == before
    assert d.field == "needs" and "✅ Health" in labels(d.q)  # selection in progress kept
    d.tap("Selesai")
    d.restart()
    fill_until(d, stop="__end__")
    d.restart()
    done = d.tap("Benar")
    assert done.answers["needs"] == ["health"]
    assert done.answers["visited"] == date(2025, 8, 17)


# --------------------------------------------------------------------------- bad answers


@pytest.mark.parametrize(
    ("field", "bad", "error"),
    [
        ("rent", "banyak", "Mohon ketik jumlah rupiah, contoh: 1.500.000 atau 1,5 juta."),
        ("income", "200 juta", "Angka paling banyak Rp100.000.000."),
        ("members", "0", "Mohon ketik angka dari 1 sampai 30."),
        ("members", "dua setengah", "Mohon ketik angka bulat, contoh: 3."),
        ("nik", "321606521285001", "NIK harus 16 angka. Bapak/Ibu mengetik 15 angka."),
        ("nik", "3216063102850001", "310285 bukan tanggal yang benar"),
        ("phone", "08123", "Nomor HP sepertinya salah."),
        ("visited", "01-01-2026", "Tanggal tidak boleh sesudah 1 September 2025."),
        ("visited", "31 Feb 2025", "Tanggal 31-02-2025 tidak ada."),
        ("housing", "rumah sendiri", "Mohon pilih salah satu jawaban dengan tombol."),
        ("needs", "food", None),  # typed option value works like the button
        ("photo", "here it is", "Mohon kirim foto."),
        ("location", "di rumah", "Mohon kirim lokasi dengan tombol di bawah."),
    ],
)
def test_bad_answer_keeps_question_and_answers(field: str, bad: str, error: str | None) -> None:
    d = Driver()
    fill_until(d, stop=field)
    answered = dict(d.state["answers"])
    step = d.send(bad)
    if error is None:
        assert isinstance(step, Ask) and step.error is None
        return
    assert isinstance(step, Ask)
    assert error in step.error
    assert step.question.field == field
    assert d.state["answers"] == answered


def test_wrong_kind_of_message() -> None:
    d = Driver()
    fill_until(d, stop="income")
    step = d.send(Input.photo("x"))
    assert step.error == "Mohon ketik jawabannya."
    step = d.send(Input.other())
    assert step.error == "Mohon ketik jawabannya."


def test_someone_elses_contact_is_rejected() -> None:
    d = Driver()
    fill_until(d, stop="phone")
    q = d.q
    assert q.wants_contact and q.wants_text
    step = d.send(Input.contact("+6281299998888", 2002, USER_ID))
    assert isinstance(step, Ask) and step.question.field == "phone"
    assert step.error.startswith("Itu kontak orang lain.")
    step = d.send(Input.contact("+6281299998888", None, USER_ID))  # not a Telegram user
    assert step.error.startswith("Itu kontak orang lain.")
    d.send(Input.contact("6281234567890", USER_ID, USER_ID))  # own, without "+"
    assert d.state["answers"]["phone"] == "+6281234567890"
    assert d.field == "visited"


def test_phone_can_be_typed() -> None:
    d = Driver()
    fill_until(d, stop="phone")
    d.send("0812-3456-7890")
    assert d.state["answers"]["phone"] == "+6281234567890"


def test_location_as_coordinates_text() -> None:
    d = Driver()
    fill_until(d, stop="location")
    assert d.q.wants_location
    d.send("-6.2615, 107.1528")
    assert d.state["answers"]["location"] == {"lat": -6.2615, "lon": 107.1528}


# --------------------------------------------------------------------------- navigation


def test_back_keeps_answers_and_offers_keep() -> None:
    d = Driver()
    fill_until(d, stop="members")
    assert d.q.can_go_back
    d.tap("Kembali")
    assert d.field == "income"
    assert "Tetap: Rp1.500.000" in labels(d.q)
    d.tap("Kembali")
    d.tap("Kembali")
    assert d.field == "housing"
    assert "✅ Rent" in labels(d.q)  # current choice marked
    step = d.send(Input.back())
    assert step.error == "Ini pertanyaan pertama."
    d.tap("Rent")
    d.tap("Tetap")  # rent kept
    d.tap("Tetap")  # income kept
    assert d.field == "members"
    assert d.state["answers"]["income"] == 1_500_000


def test_prefill_keep_button() -> None:
    d = Driver(context={"members": 4})
    fill_until(d, stop="members")
    q = d.q
    assert "Tetap: 4" in labels(q)
    d.tap("Tetap: 4")
    assert d.state["answers"]["members"] == 4
    assert d.field == "needs"


def test_no_keep_without_value() -> None:
    d = Driver()
    fill_until(d, stop="members")
    assert not any(lbl.startswith("Tetap") for lbl in labels(d.q))
    assert d.send(Input.keep()).error == "Belum ada jawaban sebelumnya."


def test_initial_answers_are_offered_masked() -> None:
    d = Driver(initial={"nik": NIK, "housing": "own"})
    assert "✅ Own house" in labels(d.q)
    fill_until(d, stop="nik")
    assert "Tetap: 3216********0001" in labels(d.q)
    d.tap("Tetap")
    assert d.state["answers"]["nik"] == NIK


def test_skip_optional_stores_none_and_required_refuses() -> None:
    d = Driver()
    fill_until(d, stop="members")
    assert not d.q.can_skip and "Lewati" not in labels(d.q)
    assert d.send(Input.skip()).error == "Pertanyaan ini wajib dijawab."
    fill_until(d, stop="photo")
    q = d.q
    assert q.can_skip and q.wants_photo and not q.wants_text
    d.tap("Lewati")
    assert d.state["answers"]["photo"] is None
    assert d.field == "nik"
    fill_until(d, stop="__end__")
    assert "Photo of the house: —" in d.steps[-1].summary_lines
    assert d.tap("Benar").answers["photo"] is None


def test_typing_a_button_label_works() -> None:
    d = Driver()
    d.send("  rent ")  # option label, any case
    assert d.state["answers"]["housing"] == "rent"
    fill_until(d, stop="photo")
    d.send("lewati")
    assert d.state["answers"]["photo"] is None
    assert isinstance(d.send("Batal"), Cancelled)


def test_multi_toggle_and_done() -> None:
    d = Driver()
    fill_until(d, stop="needs")
    q = d.q
    assert "Pilih semua yang sesuai" in q.text
    assert labels(q)[:3] == ["◻️ Food", "◻️ Health", "◻️ School fees"]
    assert d.tap("Selesai").error.startswith("Mohon pilih paling sedikit satu")
    d.tap("School")
    d.tap("Food")
    d.tap("Health")
    d.tap("Health")  # untoggle
    assert labels(d.q)[:3] == ["✅ Food", "◻️ Health", "✅ School fees"]
    d.tap("Selesai")
    assert d.state["answers"]["needs"] == ["food", "school"]  # option order


def test_ask_if_skips_and_removes_answer() -> None:
    d = Driver()
    d.tap("Own house")
    assert d.field == "income"  # rent not asked
    d.tap("Kembali")
    d.tap("Rent")
    assert d.field == "rent"
    d.send("500 ribu")
    d.tap("Kembali")
    d.tap("Kembali")
    d.tap("With family")
    assert "rent" not in d.state["answers"]
    assert d.field == "income"


def test_cancel() -> None:
    d = Driver()
    fill_until(d, stop="nik")
    step = d.tap("Batal")
    assert isinstance(step, Cancelled)
    assert d.state["phase"] == "cancelled"
    assert isinstance(d.send("3216065212850001"), Cancelled)


def test_stale_button_is_refused() -> None:
    d = Driver()
    old = d.q
    d.tap("Own house")
    fill_until(d, stop="members")
    before = json.dumps(d.state)
    step = d.send(Input.button(token_of(old, "Rent"), at=old.index, run=old.run))
    assert step.error == "Tombol itu dari pertanyaan sebelumnya. Mohon gunakan tombol di bawah."
    assert json.dumps(d.state) == before
    # a button from an earlier run of the same form
    step = d.send(Input.button("back", at=d.q.index, run="zzzzzz"))
    assert step.error.startswith("Tombol itu dari pertanyaan sebelumnya")


# --------------------------------------------------------------------------- confirmation


def test_edit_at_confirmation() -> None:
    d = Driver()
    fill_until(d, stop="__end__")
    assert isinstance(d.steps[-1], Confirm)
    assert isinstance(d.send("ok"), Confirm)  # typed text at the summary: error, same screen
    assert d.steps[-1].error.startswith("Mohon periksa jawaban")
    step = d.tap("Ubah")
    assert step.question.text == "Jawaban mana yang ingin Bapak/Ibu ubah?"
    assert "NIK" in labels(step.question) and "Monthly income" in labels(step.question)
    d.tap("Kembali")  # back from the picker: summary again
    assert d.state["phase"] == "confirm"
    d.tap("Ubah")
    d.tap("Monthly income")
    assert d.field == "income" and d.q.can_go_back
    assert "Tetap: Rp1.500.000" in labels(d.q)
    step = d.send("2jt")
    assert isinstance(step, Confirm)
    assert "Monthly income: Rp2.000.000" in step.summary_lines
    assert "NIK: 3216********0001" in step.summary_lines
    done = d.tap("Benar")
    assert done.answers["income"] == 2_000_000 and done.answers["nik"] == NIK


def test_edit_back_returns_to_summary_unchanged() -> None:
    d = Driver()
    fill_until(d, stop="__end__")
    d.tap("Ubah")
    d.tap("Household members")
    step = d.tap("Kembali")
    assert isinstance(step, Confirm)
    assert "Household members: 4" in step.summary_lines


def test_edit_that_makes_a_field_relevant_asks_it() -> None:
    d = Driver()
    d.tap("Own house")
    fill_until(d, stop="__end__")
    assert not any(x.startswith("Monthly rent") for x in d.steps[-1].summary_lines)
    d.tap("Ubah")
    d.tap("Housing")
    d.tap("Rent")
    assert d.field == "rent"  # newly relevant, so asked before the summary
    step = d.send("1.000.000")
    assert isinstance(step, Confirm)
    assert "Monthly rent: Rp1.000.000" in step.summary_lines
    # and back again: the rent answer disappears from the summary and the answers
    d.tap("Ubah")
    d.tap("Housing")
    step = d.tap("Own house")
    assert isinstance(step, Confirm)
    assert "rent" not in d.state["answers"]


def test_back_from_summary_goes_to_last_question() -> None:
    d = Driver()
    fill_until(d, stop="__end__")
    d.tap("Kembali")
    assert d.field == "location"
    step = d.tap("Tetap")
    assert isinstance(step, Confirm)


# --------------------------------------------------------------------------- declarations


def test_registry_and_declaration_checks() -> None:
    assert get_form("test_self_report") is SELF_REPORT
    assert register_form(SELF_REPORT) is SELF_REPORT
    with pytest.raises(ValueError):
        register_form(Form("test_self_report", "x", [Field("a", "text", "A")]))
    with pytest.raises(ValueError):
        Field("a", "colour", "A")
    with pytest.raises(ValueError):
        Field("a", "choice", "A")
    with pytest.raises(ValueError):
        Form("dup", "x", [Field("a", "text", "A"), Field("a", "text", "B")])
    assert Field("n", "nik", "NIK").secret and Field("k", "kk", "KK").secret
    assert not Field("t", "text", "T").secret


def test_dynamic_options_text_limits_and_kk() -> None:
    villages = {"18": [Option("3216182001", "Burangkeng"), Option("3216182002", "Ciledug")]}
    form = Form(
        "test_dynamic",
        "Address",
        [
            Field("kec", "choice", "Kecamatan", options=[Option("18", "Setu")]),
            Field("desa", "choice", "Desa", options=lambda answers, ctx: villages[answers["kec"]]),
            Field("street", "text", "Street", min_length=3, max_length=10),
            Field("kk", "kk", "No. KK"),
        ],
    )
    d = Driver(form)
    d.tap("Setu")
    assert labels(d.q)[:2] == ["Burangkeng", "Ciledug"]
    d.tap("Ciledug")
    assert d.send("Jl").error == "Mohon ketik paling sedikit 3 huruf."
    assert d.send("Jalan Raya Setu").error == "Terlalu panjang. Paling banyak 10 huruf."
    d.send("  Gg.   Mawar ")
    assert d.q.secret
    step = d.send("3216 0625 1215 0003")
    assert "No. KK: 3216********0003" in step.summary_lines
    assert d.tap("Benar").answers == {
        "kec": "18",
        "desa": "3216182002",
        "street": "Gg. Mawar",
        "kk": "3216062512150003",
    }


# --------------------------------------------------------------------------- rendering


def all_questions() -> list:
    """Every screen of a run, incl. picker and long option values."""
    long_opts = [Option("x" * 300 + str(k), f"Option number {k}") for k in range(12)]
    form = Form(
        "test_render",
        "Render",
        [
            Field("big", "choice", "Big", options=long_opts),
            Field("many", "multi", "Many", options=long_opts),
            Field("nik", "nik", "NIK", required=False),
        ],
    )
    d = Driver(form)
    qs = [d.q]
    d.tap("Option number 11")
    qs.append(d.q)
    d.tap("Option number 10")
    d.tap("Selesai")
    qs.append(d.q)
    d.send(NIK)
    qs.append(d.q)
    d.tap("Ubah")
    qs.append(d.q)
    return qs


def test_render_callback_data_is_short_and_round_trips() -> None:
    for q in [*all_questions(), Driver().q]:
        text, markup = render(q)
        assert isinstance(markup, InlineKeyboardMarkup)
        assert text == q.text
        for row in markup.inline_keyboard:
            for button in row:
                data = button.callback_data
                assert len(data.encode()) < 64, data
                assert NIK not in data and "xxx" not in data
                inp = input_from_callback(FormCallback.unpack(data))
                assert inp.at == q.index and inp.run == q.run
                assert inp.token in tokens(q)
        # Buttons are copies of a template (conversations.telegram._button): the same as
        # buttons validated from scratch, and sent the same.
        validated = InlineKeyboardMarkup.model_validate(markup.model_dump())
        assert markup == validated
        assert markup.model_dump(exclude_none=True) == validated.model_dump(exclude_none=True)
        assert all(
            button.model_fields_set >= {"text", "callback_data"}
            for row in markup.inline_keyboard
            for button in row
        )


def test_render_phone_and_location_reply_keyboards() -> None:
    d = Driver()
    fill_until(d, stop="phone")
    text, markup = render(d.q, error="Oops")
    assert text.startswith("Oops\n\n")
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert markup.keyboard[0][0].request_contact is True
    assert markup.keyboard[0][0].text == "📱 Kirim nomor saya"
    assert [b.text for b in markup.keyboard[-1]] == ["« Kembali", "Batal"]
    d.send("081234567890")
    d.send("17-08-2025")
    _text, markup = render(d.q)
    assert markup.keyboard[0][0].request_location is True


def test_render_phone_without_contact_button_is_inline() -> None:
    form = Form("test_phone_inline", "P", [Field("hp", "phone", "HP", share_contact=False)])
    _text, markup = render(Driver(form).q)
    assert isinstance(markup, InlineKeyboardMarkup)


def _message(**kw: Any) -> Message:
    return Message(
        message_id=kw.pop("message_id", 10),
        date=datetime(2025, 9, 1),
        chat=Chat(id=USER_ID, type="private"),
        from_user=User(id=USER_ID, is_bot=False, first_name="Siti"),
        **kw,
    )


def test_input_from_message_kinds() -> None:
    assert input_from_message(_message(text="halo")) == Input.from_text("halo")
    contact = Contact(phone_number="6281234567890", first_name="Siti", user_id=USER_ID)
    assert input_from_message(_message(contact=contact)) == Input.contact(
        "6281234567890", USER_ID, USER_ID
    )
    loc = Location(latitude=-6.26, longitude=107.15)
    assert input_from_message(_message(location=loc)) == Input.location(-6.26, 107.15)
    photos = [
        PhotoSize(file_id="small", file_unique_id="s", width=90, height=90),
        PhotoSize(file_id="big", file_unique_id="b", width=1280, height=960),
    ]
    assert input_from_message(_message(photo=photos)) == Input.photo("big")
    doc = Document(file_id="doc", file_unique_id="d", mime_type="image/jpeg")
    assert input_from_message(_message(document=doc)) == Input.photo("doc")
    assert input_from_message(_message()).kind == "other"


# --------------------------------------------------------------------------- FSM glue


class FakeSession(BaseSession):
    """Answers Bot API calls in-process and remembers them (a stand-in for Telegram)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod] = []
        self.next_id = 100

    async def close(self) -> None:  # pragma: no cover - nothing to close
        pass

    async def stream_content(self, *args: Any, **kwargs: Any):  # pragma: no cover
        raise NotImplementedError
        yield b""

    async def make_request(self, bot: Bot, method: TelegramMethod, timeout: int | None = None):
        self.calls.append(method)
        if isinstance(method, SendMessage):
            self.next_id += 1
            return _message(message_id=self.next_id, text=method.text).as_(bot)
        if isinstance(method, EditMessageText):
            return _message(message_id=method.message_id, text=method.text).as_(bot)
        if isinstance(method, AnswerCallbackQuery | DeleteMessage | EditMessageReplyMarkup):
            return True
        raise AssertionError(f"unexpected call {type(method).__name__}")

    def sent(self) -> list[SendMessage]:
        return [c for c in self.calls if isinstance(c, SendMessage)]


@pytest.fixture
async def tg():
    session = FakeSession()
    bot = Bot("42:TEST", session=session)
    storage = MemoryStorage()
    state = FSMContext(storage, StorageKey(bot_id=42, chat_id=USER_ID, user_id=USER_ID))
    yield bot, session, state
    await storage.close()


async def test_begin_and_run_step_through_fsm(tg) -> None:
    bot, session, state = tg
    form = Form(
        "test_fsm",
        "Laporan",
        [
            Field("housing", "choice", "Housing", options=HOUSING),
            Field("nik", "nik", "NIK"),
            Field("phone", "phone", "Phone"),
            Field("members", "integer", "Members"),
        ],
    )
    register_form(form)
    step = await begin("test_fsm", _message(text="/lapor").as_(bot), state)
    assert isinstance(step, Ask)
    assert await state.get_state() == FormFlow.active.state
    first = session.sent()[-1]
    assert first.text.startswith("Laporan") and first.parse_mode is None
    assert isinstance(first.reply_markup, InlineKeyboardMarkup)

    # tap "Rent" on the first question: the message is edited in place
    data = first.reply_markup.inline_keyboard[0][1].callback_data
    callback = CallbackQuery.model_validate(
        {
            "id": "c1",
            "from": {"id": USER_ID, "is_bot": False, "first_name": "Siti"},
            "chat_instance": "ci",
            "message": _message(message_id=101, text=first.text).model_dump(by_alias=True),
            "data": data,
        },
        context={"bot": bot},  # how aiogram builds updates: nested objects get the bot
    )
    step = await run_step(callback, state, FormCallback.unpack(data))
    assert isinstance(step, Ask) and step.question.field == "nik"
    assert isinstance(session.calls[-1], EditMessageText)

    # the NIK message is deleted after reading, even when it is wrong
    session.calls.clear()
    step = await run_step(_message(message_id=11, text="3216").as_(bot), state)
    assert step.error == "NIK harus 16 angka. Bapak/Ibu mengetik 4 angka."
    assert any(isinstance(c, DeleteMessage) and c.message_id == 11 for c in session.calls)
    session.calls.clear()
    await run_step(_message(message_id=12, text=NIK).as_(bot), state)
    assert any(isinstance(c, DeleteMessage) and c.message_id == 12 for c in session.calls)
    phone_q = session.sent()[-1]
    assert isinstance(phone_q.reply_markup, ReplyKeyboardMarkup)
    assert NIK not in str([c.model_dump() for c in session.calls])

    # progress is in FSM storage as plain JSON
    saved = (await state.get_data())["form"]
    assert json.loads(json.dumps(saved)) == saved and saved["answers"]["nik"] == NIK

    # own contact -> next question; the reply keyboard is removed first
    session.calls.clear()
    contact = Contact(phone_number="+6281234567890", first_name="Siti", user_id=USER_ID)
    step = await run_step(_message(message_id=13, contact=contact).as_(bot), state)
    assert step.question.field == "members"
    assert any(isinstance(c.reply_markup, ReplyKeyboardRemove) for c in session.sent())
    assert not any(isinstance(c, DeleteMessage) and c.message_id == 13 for c in session.calls)

    step = await run_step(_message(message_id=14, text="4").as_(bot), state)
    assert isinstance(step, Confirm)
    assert "NIK: 3216********0001" in session.sent()[-1].text

    done = await run_step(_message(message_id=15, text="✅ Benar, kirim").as_(bot), state)
    assert isinstance(done, Done) and done.answers["nik"] == NIK
    assert await state.get_state() is None
    assert "form" not in await state.get_data()  # no NIK left in storage

    # a late tap on an old button: the form is gone
    session.calls.clear()
    assert await run_step(callback, state, FormCallback.unpack(data)) is None
    assert isinstance(session.calls[-1], AnswerCallbackQuery)


async def test_cancel_command_via_run_step(tg) -> None:
    bot, session, state = tg
    await begin("test_self_report", _message(text="/lapor").as_(bot), state)
    step = await run_step(_message(text="/batal").as_(bot), state, inp=Input.cancel())
    assert isinstance(step, Cancelled)
    assert session.sent()[-1].text == "Dibatalkan. Tidak ada yang disimpan."
    assert await state.get_state() is None and "form" not in await state.get_data()




def _fields(text: str) -> list[str]:
    import string

    return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name]


def test_constraint_and_lazy_labels() -> None:
    from aiogram.utils.i18n import lazy_gettext as __

    from conversations import ValidationError

    def not_before_birth(value: date, answers: dict[str, Any]) -> None:
        if value < answers["born"]:
            raise ValidationError(__("The date cannot be before {date}."), date="lahir")

    form = Form(
        "test_constraint",
        __("Cancel"),  # any catalogued msgid: shows that lazy labels translate when shown
        [
            Field("born", "date", "Born", max=lambda today: today),
            Field("married", "date", __("Skip"), constraint=not_before_birth, required=False),
        ],
    )
    d = Driver(form)
    assert d.q.text.startswith("Batal")
    d.send("01-01-1990")
    assert d.q.text == "Lewati"
    assert d.send("31-12-1989").error == "Tanggal tidak boleh sebelum lahir."
    step = d.send("02-01-2010")
    assert step.summary_lines == ["Born: Senin, 1 Januari 1990", "Lewati: Sabtu, 2 Januari 2010"]


@pytest.mark.parametrize(
    ("token", "index", "run"),
    [("opt:2", 0, "ab12"), ("ok", -1, "zz"), ("skip", 7, ""), ("opt:", 3, "r")],
)
def test_button_data_is_what_form_callback_packs(token: str, index: int, run: str) -> None:
    from conversations.schema import Question
    from conversations.telegram import FormCallback, _callback

    question = Question(text="?", buttons=[], index=index, run=run)
    action, _sep, value = token.partition(":")
    packed = FormCallback(a=action, v=value, q=index, r=run).pack()
    assert _callback(token, question) == packed
    assert FormCallback.unpack(packed) == FormCallback(a=action, v=value, q=index, r=run)


@pytest.mark.parametrize(("token", "run"), [("opt:a:b", "r"), ("ok", "x" * 70)])
def test_button_data_refuses_what_form_callback_refuses(token: str, run: str) -> None:
    from conversations.schema import Question
    from conversations.telegram import _callback

    with pytest.raises(ValueError):
        _callback(token, Question(text="?", buttons=[], index=0, run=run))
