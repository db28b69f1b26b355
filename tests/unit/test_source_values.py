"""The values the lists Dinsos receives hold (domain.source_values) and recognising their
layouts by the headers (services.source_layouts)."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.errors import Invalid
from domain.source_values import (
    id_number_text,
    kemendagri_code,
    normalise_header,
    parse_day,
    parse_desil,
    parse_flag,
    parse_padan,
    parse_relation,
    parse_rt_or_rw,
    parse_rt_rw,
    parse_sex,
)
from services.source_layouts import headers_key, program_of_header, recognise


@pytest.mark.parametrize(
    "text",
    ["3216180101900001", "`3216180101900001", "'3216180101900001", "3216180101900001.0",
     "3.216180101900001E+15", " 3216180101900001 "],
)  # fmt: skip
def test_id_numbers_as_text_floats_and_backtick(text: str) -> None:
    assert id_number_text(text) == "3216180101900001"


@pytest.mark.parametrize("text", ["3.216E+15", "3,21618E+15", "3.21618010190000E+15"])
def test_an_id_number_excel_rounded_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as found:
        id_number_text(text)
    assert found.value.code == "source.excel_rounded"


@pytest.mark.parametrize(
    ("text", "sex"),
    [("L", "L"), ("P", "P"), ("Laki-laki", "L"), ("Perempuan", "P"), ("LAKI-LAKI", "L"),
     ("1", "L"), ("2", "P"), ("2.0", "P"), ("wanita", "P"), ("", None)],
)  # fmt: skip
def test_sex_in_every_form(text: str, sex: str | None) -> None:
    assert parse_sex(text) == sex


@pytest.mark.parametrize(
    "text",
    ["17/08/1985 0:00:00", "17/8/1985 12:30:00", "17-08-1985", "1985-08-17",
     "1985-08-17 00:00:00", "1985-08-17T00:00:00", "31276", "31276.0"],
)  # fmt: skip
def test_dates_as_the_files_write_them(text: str) -> None:
    assert parse_day(text) == dt.date(1985, 8, 17)


@pytest.mark.parametrize("text", ["31/02/1985 0:00:00", "kemarin", "17/08/85x"])
def test_a_date_that_is_not_one(text: str) -> None:
    with pytest.raises(Invalid):
        parse_day(text)


def test_relation_codes_per_system() -> None:
    assert parse_relation("Kepala Keluarga", None) == "kepala"
    assert parse_relation("ISTRI", None) == "istri"
    assert parse_relation("Lainnya", None) == "lainnya"
    assert parse_relation("3", "bdt") == "anak"  # BDT / Regsosek: 3 = anak
    assert parse_relation("3", "dukcapil") == "istri"  # Dukcapil SHDK: 3 = ISTRI
    assert parse_relation("8", "dukcapil") == "mertua"
    assert parse_relation("1.0", "bdt") == "kepala"
    with pytest.raises(Invalid) as unknown:
        parse_relation("3", None)  # never guessed
    assert unknown.value.code == "source.relation_system"
    with pytest.raises(Invalid):
        parse_relation("12", "dukcapil")


def test_flags_desil_padan_rt_rw() -> None:
    assert [parse_flag(t) for t in ("Ya", "YA", "Tidak", "TIDAK", "1", "2", "", "-")] == [
        True, True, False, False, True, False, None, None]  # fmt: skip
    with pytest.raises(Invalid):
        parse_flag("mungkin")
    assert [parse_desil(t) for t in ("1", "Desil 4", "10.0", "")] == [1, 4, 10, None]
    for bad in ("0", "11", "2.5", "x"):
        with pytest.raises(Invalid):
            parse_desil(bad)
    assert (parse_padan("Padan"), parse_padan("Tidak Padan"), parse_padan("")) == (
        True, False, None)  # fmt: skip
    assert parse_rt_rw("1/03") == ("001", "003")
    assert parse_rt_rw("001/003") == ("001", "003")
    assert parse_rt_or_rw("5.0") == "005"
    for bad in ("0/3", "a/b", "1"):
        with pytest.raises(Invalid):
            parse_rt_rw(bad)


def test_kemendagri_codes_and_headers() -> None:
    assert kemendagri_code("3216182001") == "32.16.18.2001"
    assert kemendagri_code("32.16.18.2001") == "32.16.18.2001"
    assert kemendagri_code("Setu") is None
    assert normalise_header(" Kode  Kemdagri ") == "kode_kemdagri"
    assert normalise_header("Desa/Kelurahan") == "desa_kelurahan"
    assert normalise_header("NO.KK") == "no_kk"
    assert headers_key(["NIK", "Nama"]) == headers_key(["nama ", "nik"])


P3KE_INDIVIDU = ["ID Keluarga P3KE", "Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan",
                 "Kode Kemendagri", "Desil Kesejahteraan", "Alamat", "ID Individu", "Nama Lengkap",
                 "NIK", "Padan Dukcapil", "Jenis Kelamin", "Hubungan dengan Kepala Keluarga",
                 "Tanggal Lahir", "Setatus Kawin", "Pekerjaan", "Pendidikan", "Penerima BNBT",
                 "Penerima PKH"]  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "layout"),
    [
        (P3KE_INDIVIDU, "P3KE Individu"),
        (["ID KELUARGA P3KE", "Kode Kemdagri", "Desil Kesejahteraan", "Kepala Keluarga", "NIK",
          "Atap", "Penerima PKH"], "P3KE Keluarga"),
        (["IDBDT", "IDARTBDT", "KDPROP", "KDKAB", "KDKEC", "KDDESA", "Nama", "JnsKel",
          "TglLahir", "Hub_KRT", "NIK", "NoKK", "Sta_kawin", "NMDESA"], "DTKS/BDT (TNP2K)"),
        (["nomor_induk_kependudukan", "nomor_kartu_keluarga", "nama",
          "status_hubungan_keluarga", "desil_nasional", "kecamatan", "desa"], "Regsosek/DTSEN"),
        (["Nama", "NIK", "NO KK", "Alamat", "Provinsi", "Kabupaten/Kota", "Kecamatan",
          "Desa/Kelurahan", "Atensi", "BLT", "PKH", "SEMBAKO ADAPTIF"], "DTKS (SIKS-NG)"),
        (["NAMA_PENERIMA", "NOMOR_KARTU", "NIK_KTP", "NOKK_DTKS", "IDARTBDT", "NMPROP", "NMKAB",
          "NMKEC", "NMKEL", "ALAMAT", "KET_TAMBAHAN"], "Kemensos KPM"),
        (["no_kk", "nik", "nama", "hubungan", "desa", "kecamatan"], "Nirmiskin (BNBA)"),
    ],
)  # fmt: skip
def test_layouts_are_recognised_by_their_headers(headers: list[str], layout: str) -> None:
    reading = recognise(headers)
    assert reading.layout is not None and reading.layout.name == layout
    assert reading.missing() == []


def test_bps_desa_codes_alone_place_a_row() -> None:
    """BPS desa numbers differ from Kemendagri's: KDDESA within KDKEC is read through BPS's
    own desa names (services.bps_desa), so a BDT file without a desa name needs nothing
    more; KDDESA without KDKEC does (docs/domain.md §2)."""
    reading = recognise(["IDBDT", "IDARTBDT", "KDKEC", "KDDESA", "Nama", "Hub_KRT", "NIK"])
    assert reading.layout is not None and reading.layout.source == "dtks"
    assert reading.missing() == []
    alone = recognise(["IDBDT", "IDARTBDT", "KDDESA", "Nama", "Hub_KRT", "NIK"])
    assert alone.missing() == ["desa"]


def test_a_p3ke_sheet_reads_its_columns_and_programme_flags() -> None:
    reading = recognise(P3KE_INDIVIDU)
    fields = dict(zip(P3KE_INDIVIDU, reading.fields, strict=True))
    assert fields["ID Keluarga P3KE"] == "household_id"
    assert fields["Kode Kemendagri"] == "kode_desa"
    assert fields["Setatus Kawin"] == "status_kawin"
    assert fields["Hubungan dengan Kepala Keluarga"] == "hubungan"
    assert sorted(program for program, _name in reading.flags.values()) == ["BPNT", "PKH"]
    assert program_of_header("blt_bbm") == "BLT" and program_of_header("alamat") is None


def test_unknown_headers_and_a_mapping_by_hand() -> None:
    headers = ["Nomor Keluarga", "Nomor Identitas", "Nama Warga", "Kelurahan Domisili"]
    assert recognise(headers).missing() == ["nik", "no_kk", "desa"]
    mapped = recognise(headers, mapping={"no_kk": "Nomor Keluarga", "nik": "nomor identitas",
                                         "desa": "Kelurahan Domisili"})  # fmt: skip
    assert mapped.missing() == []
    with pytest.raises(LookupError):
        recognise(headers, mapping={"nik": "NIK"})
