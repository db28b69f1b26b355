"""/statistik through the real dispatcher: the numbers printed are those counted by hand from
the seeded mix (tests/stats_seed.py), the chart draws the printed figures under the printed
labels, staff page through each kecamatan's volunteers, and a PSM or TKSK sees their own area
and their own line only."""

from __future__ import annotations

import struct
from pathlib import Path

from db.models.accounts import Account
from db.models.base import utcnow
from handlers.staff import stats_text
from handlers.staff.stats import StatsCb, VolunteersCb
from handlers.staff.stats_chart import chart_series
from services import stats
from tests import stats_seed as mix
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import BotApp, as_role, click_data, e2e_settings, in_id, t

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BURANGKENG = "32.16.18.2003"
EXTRA_PSM = ("Ani", "Budi", "Citra")


def label(key: str) -> str:
    return str(in_id(str, stats_text.LABELS[key]))


def numbers(area: str | tuple[str, ...]) -> dict[str, float]:
    """The hand count of an area (or several added up)."""
    areas = (area,) if isinstance(area, str) else area
    found: dict[str, float] = {}
    for one in areas:
        for key, value in mix.expected_area(one).items():
            found[key] = found.get(key, 0) + value
    return found


def card_checks(text: str, area: str | tuple[str, ...]) -> None:
    """The card's figures with their labels and shares, as counted by hand."""
    want = numbers(area)
    households, extreme = int(want["households"]), int(want["extreme_poor"])
    cases, late = int(want["cases_open"]), int(want["cases_overdue"])
    recipients, collected = int(want["recipients"]), int(want["collected"])

    def pct(part: int, whole: int) -> str:
        return f"{round(100 * part / whole) if whole else 0}%"

    assert f"{label('households')}: {households}\n" in text
    assert f"• {label('extreme')}: {extreme} ({pct(extreme, households)})" in text
    assert f"{label('open')}: {cases} · {label('overdue')}: {late} ({pct(late, cases)})" in text
    assert (
        f"{label('recipients')}: {recipients} · "
        f"{label('collected')}: {collected} ({pct(collected, recipients)})"
    ) in text
    answered = int(want["answered_30"])
    if answered:
        mean = str(round(want["answer_hours"] / answered, 1)).removesuffix(".0")
        time = t("{hours} hours", hours=mean.replace(".", ","))
        assert (
            t("First answer, last 30 days: {time} on average ({count} cases)", time=time,
              count=answered) in text
        )  # fmt: skip
    assert len(text) <= 600


def volunteer_checks(text: str, name: str, first_name: str) -> None:
    want = mix.expected_volunteer(name)
    role, area, _first = mix.VOLUNTEERS[name]
    area_name = {mix.CIBENING: "Cibening", mix.CIJENGKOL: "Cijengkol", mix.SETU: "Setu",
                 mix.TAMBUN_UTARA: "Tambun Utara"}[area]  # fmt: skip
    answered = int(want["answered_30"])
    mean = str(round(want["answer_hours"] / answered, 1)).removesuffix(".0") if answered else ""
    open_, late = int(want["area_open"]), int(want["area_overdue"])
    assert f"👤 {first_name} · {role.upper()} {area_name}\n" in text
    assert t(
        "visits {visits} · cases closed {closed} · first answer {time} ({count} cases)",
        visits=want["visits_30"], closed=want["closed_30"], count=answered,
        time=t("{hours} hours", hours=mean.replace(".", ",")) if answered else "–",
    ) in text  # fmt: skip
    assert t(
        "area: open cases {open}, overdue {overdue} ({share})", open=open_, overdue=late,
        share=f"{round(100 * late / open_) if open_ else 0}%",
    ) in text  # fmt: skip


async def _volunteer(app: BotApp, tg: FakeTelegram, uid: int, name: str) -> tuple[FakeUser, int]:
    role, area, first_name = mix.VOLUNTEERS[name]
    user = tg.user(uid, first_name)
    account = await as_role(app, user, role, area=area)
    return user, account.id


async def test_statistics_message_chart_and_volunteers(
    tg: FakeTelegram, tmp_path: Path, database_url: str
) -> None:
    settings = e2e_settings(tmp_path, tg, database_url=database_url)
    async with BotApp(tg, settings) as app:
        staff = tg.user(811, "Petugas")
        await as_role(app, staff, "petugas")
        psm, psm_id = await _volunteer(app, tg, 812, "psm_cibening")
        tksk, tksk_id = await _volunteer(app, tg, 813, "tksk_setu")
        async with app.sessionmaker() as session, session.begin():
            await mix.seed(session, utcnow(), {"psm_cibening": psm_id, "tksk_setu": tksk_id})
            # More PSM in Setu, with nothing done yet: the list of volunteers takes two pages.
            for k, name in enumerate(EXTRA_PSM):
                session.add(Account(telegram_id=8200 + k, role="psm", area_code=BURANGKENG,
                                    first_name=name, consent="given"))  # fmt: skip

        await staff.send("/statistik")
        text = await staff.wait_message()
        photo = await staff.wait_message()
        await staff.wait_message()  # the payouts of these days
        async with app.sessionmaker() as session:
            rows = await stats.per_kecamatan(session)
            desil = await stats.by_desil(session)
        assert [text.text] == in_id(stats_text.summary_pages, rows, desil)
        card_checks(text.text, (mix.SETU, mix.TAMBUN_UTARA))
        assert t("{count} kecamatan have no data yet.").format(count=21) in text.text

        # The chart: the figures printed, under the labels printed (one bar per kecamatan).
        labels = {key: label(key) for key in stats_text.LABELS}
        for panel in chart_series(rows, labels):
            for series in panel:
                assert f"{series.label}: {sum(series.values)}" in text.text
        assert photo.kind == "photo"
        png = tg.file(photo.photo[-1]["file_id"]).content
        assert png.startswith(PNG_MAGIC)
        assert struct.unpack(">II", png[16:24]) == (1200, 1000)

        # Each kecamatan, then each desa, one tap away; the kecamatan's volunteers too.
        await staff.click(text, t("Per kecamatan"))
        which = await staff.wait_message(predicate=lambda m: m.text == t("Which kecamatan?"))
        assert which.buttons == ["Setu (5)", "Tambun Utara (2)"]
        await staff.click(which, "Setu (5)")
        setu = await staff.wait_message()
        assert setu.text.startswith("📊 Kecamatan Setu")
        card_checks(setu.text, mix.SETU)
        assert setu.buttons == ["Cibening (2)", "Cijengkol (3)", t("👥 Per volunteer")]
        await staff.click(setu, "Cibening (2)")
        desa = await staff.wait_message()
        assert desa.text.startswith("📊 Desa Cibening")
        card_checks(desa.text, mix.CIBENING)

        await staff.click(setu, t("👥 Per volunteer"))
        page = await staff.wait_message()
        pages = [page.text or ""]
        while t("Next »") in page.buttons:  # the next page replaces this one
            await staff.click(page, t("Next »"))
            await staff.wait_for(lambda: page.text != pages[-1])
            pages.append(page.text or "")
        listed = "\n".join(pages)
        assert listed.startswith(t(
            "👥 Volunteers of Kecamatan {name}, last 30 days (page {page} of {pages}):",
            name="Setu", page=1, pages=len(pages),
        ))  # fmt: skip
        volunteer_checks(listed, "tksk_setu", "Dedi")
        volunteer_checks(listed, "psm_cibening", "Rina")
        volunteer_checks(listed, "psm_cijengkol", "Yanti")
        assert "Asep" not in listed  # Tambun Utara's TKSK
        assert len(pages) == 2 and all(len(p) <= 600 for p in pages)
        for name in EXTRA_PSM:
            assert f"👤 {name} · PSM Burangkeng\n" in listed
        assert t("visits {visits} · cases closed {closed} · first answer {time} ({count} cases)",
                 visits=0, closed=0, time="–", count=0) in listed  # fmt: skip

        # From the kabupaten's card: the kecamatan that have volunteers, with how many.
        await staff.click(text, t("👥 Per volunteer"))
        pick = await staff.wait_message()
        assert pick.text == t("Volunteers of which kecamatan?")
        assert pick.buttons == ["Setu (6)", "Tambun Utara (1)"]
        await staff.click(pick, "Tambun Utara (1)")
        tambun = await staff.wait_message()
        volunteer_checks(tambun.text, "tksk_tambun", "Asep")

        # A PSM: their desa's card and their own line; nobody else's.
        await psm.send("/statistik")
        own_card = await psm.wait_message()
        assert own_card.text.startswith("📊 Desa Cibening")
        card_checks(own_card.text, mix.CIBENING)
        own = await psm.wait_message()
        assert own.text.startswith(t("Your numbers, last 30 days:"))
        volunteer_checks(own.text, "psm_cibening", "Rina")
        for data in (StatsCb(code=mix.SETU), VolunteersCb(code=mix.SETU)):
            crafted = await click_data(psm, own_card, data.pack())
            assert (await crafted.wait_answered()).answer_text == t(
                "These numbers are not for your area."
            )

        # A TKSK: the kecamatan's card (its desa and its volunteers a tap away), and their
        # own line; another kecamatan's volunteers are refused.
        await tksk.send("/statistik")
        tksk_card = await tksk.wait_message()
        assert tksk_card.text.startswith("📊 Kecamatan Setu")
        assert tksk_card.buttons == ["Cibening (2)", "Cijengkol (3)", t("👥 Per volunteer")]
        volunteer_checks((await tksk.wait_message()).text, "tksk_setu", "Dedi")
        await tksk.click(tksk_card, t("👥 Per volunteer"))
        listed = await tksk.wait_message(predicate=lambda m: (m.text or "").startswith("👥"))
        assert "Setu" in listed.text and "Dedi" in listed.text  # the TKSK first, then the PSM
        for data in (VolunteersCb(code="32.16"), VolunteersCb(code=mix.TAMBUN_UTARA)):
            crafted = await click_data(tksk, tksk_card, data.pack())
            assert (await crafted.wait_answered()).answer_text == t(
                "These numbers are not for your area."
            )
