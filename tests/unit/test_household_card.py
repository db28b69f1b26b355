"""The family card of a household from a list without No. KK (P3KE): no "None" anywhere, the
desil, Padan Dukcapil and programmes shown."""

from __future__ import annotations

import datetime as dt

from bot.i18n import create_i18n
from db.models.households import Household, Member, Region
from handlers.volunteers.ui import kk_text, render_card
from services.field_work import Card
from tests.harness import t


def test_a_p3ke_household_card_without_kk() -> None:
    household = Household(id=5, desa_code="32.16.18.2005", kecamatan_code="32.16.18",
                          verification="terdaftar", source_system="p3ke",
                          source_household_id="P3KE-3216-001", desil=1,
                          source_programs="Penerima BPNT, Penerima BST")  # fmt: skip
    members = [
        Member(name="AHMAD", relationship_to_head="kepala", nik_masked="3216********0003",
               padan_dukcapil=True, birth_date=dt.date(1978, 5, 12)),
        Member(name="TANPA NIK", relationship_to_head="belum_diketahui", padan_dukcapil=False),
    ]  # fmt: skip
    card = Card(household, members, Region(code="32.16.18.2005", name="Cibening"),
                Region(code="32.16.18", name="Setu"), None, None, [], ["BPNT", "LAINNYA"])
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        text = render_card(card, dt.date(2026, 12, 1))
        assert kk_text(household) == t("none yet")
    assert "None" not in text and "belum_diketahui" not in text
    assert t("No. KK: {kk}", kk=t("none yet")) in text
    assert t("Welfare decile (desil): {desil} of 10", desil=1) in text
    assert t("Programs: {names}", names="BPNT, LAINNYA, Penerima BPNT, Penerima BST") in text
    assert t("Padan Dukcapil") in text and t("not Padan Dukcapil") in text
    assert "NIK -" in text


def test_a_proposal_card_shows_what_the_proposer_gave() -> None:
    household = Household(id=6, desa_code="32.16.18.2005", kecamatan_code="32.16.18",
                          verification="menunggu_verifikasi", source="usulan_warga",
                          phone="+6281234567890", declared_members=5,
                          description="Suami sakit,\n tidak bekerja sejak Juni")  # fmt: skip
    card = Card(household, [], Region(code="32.16.18.2005", name="Cibening"),
                Region(code="32.16.18", name="Setu"), None, None, [], [])  # fmt: skip
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        text = render_card(card, dt.date(2026, 12, 1))
    assert t("Phone: {phone}", phone="+6281234567890") in text
    assert t("Members declared: {count}", count=5) in text
    assert t("Proposal: {text}", text="Suami sakit, tidak bekerja sejak Juni") in text


def test_statistics_show_households_by_desil() -> None:
    from handlers.staff.stats_text import summary_pages
    from services.stats import AreaNumbers

    rows = [AreaNumbers(code="32.16.18", name="Setu", households=3)]
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        text = "\n".join(summary_pages(rows, {1: 2, 3: 1}))
        plain = "\n".join(summary_pages(rows))
    assert t("Households by desil (from the lists): {counts}", counts="1: 2 · 3: 1") in text
    assert "desil" not in plain
