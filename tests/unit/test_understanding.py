"""The free-text reader: its labeled set, and how it reads the messages that residents sent
and the bot did not understand before (the issue's examples)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from services.understanding import INTENTS, Example, Reader, load_examples, reader
from services.understanding.model import DATA
from services.understanding.normalize import spelled, stemmed


def test_the_labeled_set_has_every_journey_and_a_held_out_part() -> None:
    train, heldout = load_examples("train"), load_examples("heldout")
    per_intent = Counter(e.intent for e in train)
    assert set(per_intent) == set(INTENTS)
    assert min(per_intent.values()) >= 60, per_intent
    assert set(Counter(e.intent for e in heldout)) == set(INTENTS)
    # Held out means never trained on: no message is in both parts.
    seen = {" ".join(e.text.casefold().split()) for e in train}
    assert not [e.text for e in heldout if " ".join(e.text.casefold().split()) in seen]
    assert sum(e.urgent for e in train) >= 60


def test_every_source_cited_is_listed() -> None:
    listed = set(re.findall(r"\b(S\d+)\b", (DATA / "SOURCES.md").read_text(encoding="utf-8")))
    cited = {e.source for e in load_examples("train") + load_examples("heldout")}
    assert cited - {"tulis"} <= listed
    assert len(cited - {"tulis"}) >= 5


def test_slang_is_written_out_and_stemmed() -> None:
    assert spelled("Sy blm dapet bnsos!!") == "saya belum dapat bansos"
    assert spelled("tolooong pak") == "tolong bapak"
    assert stemmed("pencairan bantuannya dicairkan") == "cair bantu cair"
    assert spelled("NIK 3216061503200001") == "nik 0"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("bansos saya belum masuk", "belum_menerima"),
        ("kok saya gak dapet bantuan", "belum_menerima"),
        ("kapan bansos cair", "jadwal"),
        ("nomor telpon dinsos", "bantuan"),
        ("assalamualaikum", "sapaan"),
        ("ada pelatihan menjahit gak bu", "pelatihan"),
        ("nama saya di data salah ketik", "dataku"),
        ("ada sms katanya saya dapat bansos suruh klik link", "cek"),
    ],
)
def test_what_residents_wrote_is_read_as_they_meant(text: str, intent: str) -> None:
    reading = reader().read(text)
    assert reading.ranked[0][0] == intent, reading


def test_hunger_is_an_emergency_and_a_greeting_is_not() -> None:
    assert reader().read("tolong pak sy belum makan dari kemarin").urgent
    assert reader().read("rumah saya roboh semalam kena hujan").urgent
    assert not reader().read("selamat pagi bu").urgent


def test_an_unsure_reading_does_not_guess_and_offers_the_likeliest() -> None:
    examples = [
        Example("jadwal", False, "tulis", "kapan bansos cair"),
        Example("jadwal", False, "tulis", "jadwal blt kapan"),
        Example("sapaan", False, "tulis", "halo"),
        Example("sapaan", False, "tulis", "makasih bu"),
        Example("sapaan", True, "tulis", "tolong belum makan"),
    ]
    model = Reader(examples, confident=0.99)
    reading = model.read("kapan bansos cair")
    assert reading.intent is None
    assert reading.offers()[0] == "jadwal"
    assert Reader(examples, confident=0.5).read("kapan bansos cair").intent == "jadwal"
