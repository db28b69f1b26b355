"""Table-driven tests of conversations.validators (rules: docs/domain.md §1, §3, §4)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from aiogram.utils.i18n import I18n

from bot.i18n import create_i18n
from conversations.validators import (
    ValidationError,
    parse_date,
    parse_int,
    parse_kk,
    parse_nik,
    parse_phone,
    parse_rupiah,
)
from domain.dates import format_date_id
from domain.identity import is_kota_bekasi, mask_number, nik_birth_date, nik_is_female
from domain.money import format_rupiah
from domain.phone import format_phone_national

TODAY = date(2025, 9, 1)


@pytest.fixture(autouse=True)
def indonesian():
    """The real Indonesian catalog of the project."""
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        yield i18n


def error_of(func, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        func(*args, **kwargs)
    return info.value.render()


# --------------------------------------------------------------------------- NIK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3216061203850001", "3216061203850001"),  # Kabupaten Bekasi, man, 12-03-1985
        ("3216065212850001", "3216065212850001"),  # woman: DD 52 = 12 + 40
        ("3216 0652 1285 0001", "3216065212850001"),
        ("32.16.06.521285.0001", "3216065212850001"),
        ("3216-0652-1285-0001", "3216065212850001"),
        (" 3216065212850001 ", "3216065212850001"),
        ("3171011505900002", "3171011505900002"),  # Jakarta: first registered elsewhere
        ("3275011505900002", "3275011505900002"),  # Kota Bekasi is syntactically valid
        ("9271014101000001", "9271014101000001"),  # Papua Barat Daya (92), woman 01-01-2000
        ("6501011505900002", "6501011505900002"),  # Kaltara (65) - stdnum would reject
        ("9601011505900002", "9601011505900002"),  # 96
        ("1101011505900002", "1101011505900002"),  # Aceh
        ("3216062902000001", "3216062902000001"),  # 29 Feb 2000 (leap)
        ("3216066902040001", "3216066902040001"),  # woman, 29 Feb 2004
        ("3216067112850001", "3216067112850001"),  # woman, DD 71 = 31 Dec
    ],
)
def test_parse_nik_valid(text: str, expected: str) -> None:
    assert parse_nik(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("321606521285001", "NIK harus 16 angka. Bapak/Ibu mengetik 15 angka."),
        ("32160652128500011", "NIK harus 16 angka. Bapak/Ibu mengetik 17 angka."),
        ("3216", "NIK harus 16 angka. Bapak/Ibu mengetik 4 angka."),
        ("32160652128500A1", "NIK hanya boleh berisi angka (16 angka)."),
        ("", "NIK hanya boleh berisi angka (16 angka)."),
        ("３２１６０６５２１２８５０００１", "NIK hanya boleh berisi angka (16 angka)."),
        ("2016065212850001", "Dua angka pertama NIK (20) bukan kode provinsi."),
        ("1016065212850001", "Dua angka pertama NIK (10) bukan kode provinsi."),
        ("9716065212850001", "Dua angka pertama NIK (97) bukan kode provinsi."),
        ("3200065212850001", "kode wilayah"),
        ("3216005212850001", "kode wilayah"),
        ("3216063102850001", "310285 bukan tanggal"),  # 31 Feb
        ("3216067102850001", "710285 bukan tanggal"),  # woman 31 Feb (71 - 40)
        ("3216063201850001", "320185 bukan tanggal"),  # DD 32
        ("3216064001850001", "400185 bukan tanggal"),  # DD 40
        ("3216067201850001", "720185 bukan tanggal"),  # DD 72
        ("3216060001850001", "000185 bukan tanggal"),  # DD 00
        ("3216061213850001", "121385 bukan tanggal"),  # MM 13
        ("3216061200850001", "120085 bukan tanggal"),  # MM 00
        ("3216062902010001", "290201 bukan tanggal"),  # 29 Feb 2001/1901
        ("3216065212850000", "Empat angka terakhir NIK tidak boleh 0000"),
    ],
)
def test_parse_nik_invalid(text: str, message: str) -> None:
    assert message in error_of(parse_nik, text)


def test_nik_error_message_is_not_indonesian_without_catalog(indonesian: I18n) -> None:
    with indonesian.use_locale("en"):
        assert error_of(parse_nik, "123") == "NIK must be 16 digits; you typed 3."


@pytest.mark.parametrize(
    ("nik", "born", "female"),
    [
        ("3216061203850001", date(1985, 3, 12), False),
        ("3216065212850001", date(1985, 12, 12), True),
        ("3216061203150001", date(2015, 3, 12), False),  # 20YY when not in the future
        ("3216061212250001", date(1925, 12, 12), False),  # 12-12-2025 is after TODAY
        ("3216064109250001", date(2025, 9, 1), True),  # today itself is not the future
        ("3216066902000001", date(2000, 2, 29), True),
    ],
)
def test_nik_birth_date_and_gender(nik: str, born: date, female: bool) -> None:
    assert nik_birth_date(nik, TODAY) == born
    assert nik_is_female(nik) is female


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3216062512150003", "3216062512150003"),
        ("3216 0625 1215 0003", "3216062512150003"),
        ("3275013101200001", "3275013101200001"),
    ],
)
def test_parse_kk_valid(text: str, expected: str) -> None:
    assert parse_kk(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3216065212850001", "521285 bukan tanggal"),  # no +40 offset on KK
        ("3216063102150001", "310215 bukan tanggal"),
        ("321606251215000", "Nomor KK harus 16 angka. Bapak/Ibu mengetik 15 angka."),
        ("2016062512150003", "nomor KK (20) bukan kode provinsi"),
        ("3216002512150003", "kode wilayah"),
        ("3216062512150000", "Empat angka terakhir nomor KK tidak boleh 0000"),
    ],
)
def test_parse_kk_invalid(text: str, message: str) -> None:
    assert message in error_of(parse_kk, text)


@pytest.mark.parametrize(
    ("number", "kota"),
    [
        ("3275011505900002", True),
        ("3275 0115 0590 0002", True),
        ("3216065212850001", False),
        ("3171011505900002", False),
    ],
)
def test_is_kota_bekasi(number: str, kota: bool) -> None:
    assert is_kota_bekasi(number) is kota


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("3216065212850001", "3216********0001"),
        ("3216 0652 1285 0001", "3216********0001"),
        ("1234", "****"),
    ],
)
def test_mask_number(number: str, masked: str) -> None:
    assert mask_number(number) == masked


# --------------------------------------------------------------------------- rupiah


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1,5 juta", 1_500_000),
        ("1.5jt", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1500000", 1_500_000),
        ("1500rb", 1_500_000),
        ("1.500 ribu", 1_500_000),
        ("Rp 750.000", 750_000),
        ("Rp750.000,00", 750_000),
        ("rp. 750.000", 750_000),
        ("750 rb", 750_000),
        ("750k", 750_000),
        ("2 jt", 2_000_000),
        ("2 JUTA", 2_000_000),
        ("0", 0),
        ("Rp 1.500.000,-", 1_500_000),
        ("1.500.000 rupiah", 1_500_000),
        ("1,25 juta", 1_250_000),
        ("1 500 000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1 miliar", 1_000_000_000),
        ("750000.00", 750_000),
    ],
)
def test_parse_rupiah_valid(text: str, amount: int) -> None:
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-500", "Jumlah tidak boleh minus."),
        ("-Rp 500.000", "Jumlah tidak boleh minus."),
        ("Rp -500.000", "Jumlah tidak boleh minus."),
        ("minus 5 juta", "Jumlah tidak boleh minus."),
        ("abc", "Mohon ketik jumlah rupiah"),
        ("", "Mohon ketik jumlah rupiah"),
        ("satu juta", "Mohon ketik jumlah rupiah"),
        ("1,5", "Mohon ketik jumlah rupiah"),  # ambiguous without "juta"/"ribu"
        ("1.50.000", "Mohon ketik jumlah rupiah"),  # broken grouping
        ("1.500.000,50", "Mohon ketik jumlah rupiah"),  # cents
        ("2 miliar", "Jumlah terlalu besar (lebih dari Rp1.000.000.000)"),
        ("1,1 miliar", "Jumlah terlalu besar"),
        ("99999999999", "Jumlah terlalu besar"),
    ],
)
def test_parse_rupiah_invalid(text: str, message: str) -> None:
    assert message in error_of(parse_rupiah, text)


def test_format_rupiah() -> None:
    assert format_rupiah(1_500_000) == "Rp1.500.000"
    assert format_rupiah(0) == "Rp0"


# --------------------------------------------------------------------------- integers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        (" 12 ", 12),
        ("3 orang", 3),
        ("3orang", 3),
        ("tiga", 3),
        ("Lima orang", 5),
        ("1.000", 1000),
        ("36 m2", 36),
        ("36 m²", 36),
        ("0", 0),
    ],
)
def test_parse_int_valid(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize(
    "text",
    ["", "abc", "2,5", "1.5", "3-4", "3 4", "1.0000", "umur 3", "dua setengah", "2 ribu", "?"],
)
def test_parse_int_invalid(text: str) -> None:
    assert error_of(parse_int, text) == "Mohon ketik angka bulat, contoh: 3."


@pytest.mark.parametrize(
    ("text", "lo", "hi", "message"),
    [
        ("0", 1, 20, "Mohon ketik angka dari 1 sampai 20."),
        ("21", 1, 20, "Mohon ketik angka dari 1 sampai 20."),
        ("-1", 0, None, "Angka paling sedikit 0."),
        ("150", None, 120, "Angka paling banyak 120."),
    ],
)
def test_parse_int_bounds(text: str, lo, hi, message: str) -> None:
    assert error_of(parse_int, text, lo, hi) == message


def test_parse_int_within_bounds() -> None:
    assert parse_int("20", 1, 20) == 20
    assert parse_int("1", min=1) == 1


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "text",
    [
        "081234567890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "+6281234567890",
        "81234567890",
        "62081234567890",  # common typo: 62 + trunk 0
        "+62081234567890",
        "0812.3456.7890",
        "(0812) 3456 7890",
        "0062 812 3456 7890",
    ],
)
def test_parse_phone_mobile(text: str) -> None:
    assert parse_phone(text) == "+6281234567890"


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("(021) 8900 1234", "+622189001234"),  # Bekasi landline (Jabodetabek)
        ("021-89001234", "+622189001234"),
        ("+622189001234", "+622189001234"),
        ("085712345678", "+6285712345678"),
    ],
)
def test_parse_phone_other_valid(text: str, e164: str) -> None:
    assert parse_phone(text) == e164


@pytest.mark.parametrize(
    "text",
    ["08123", "08123456789012", "abc", "", "0812-3456-789a", "+62", "12345"],
)
def test_parse_phone_invalid(text: str) -> None:
    assert error_of(parse_phone, text).startswith("Nomor HP sepertinya salah.")


@pytest.mark.parametrize(
    ("e164", "national"),
    [("+6281234567890", "0812-3456-7890"), ("+622189001234", "(021) 89001234")],
)
def test_format_phone_national(e164: str, national: str) -> None:
    assert format_phone_national(e164) == national


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text",
    [
        "17-08-2025",
        "17/8/2025",
        "17.08.25",
        "17 Agustus 2025",
        "17 agustus 2025",
        "17 AGUSTUS 2025",
        "17 agu 2025",
        "17 Agu 2025",
        "17 agt 2025",
        "17 Agt. 2025",
        "17-Agu-2025",
        "17 agt 25",
        "2025-08-17",
        "17 August 2025",
        "17 aug 2025",
        "August 17, 2025",
        "Minggu, 17 Agustus 2025",
        " 17  agustus  2025 ",
    ],
)
def test_parse_date_formats(text: str) -> None:
    assert parse_date(text, TODAY) == date(2025, 8, 17)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 Mei 2024", date(2024, 5, 1)),
        ("1 Pebruari 2024", date(2024, 2, 1)),
        ("29 Feb 2024", date(2024, 2, 29)),
        ("5 Okt 2023", date(2023, 10, 5)),
        ("5 Nopember 2023", date(2023, 11, 5)),
        ("24 Des 2023", date(2023, 12, 24)),
        ("3 Maret 1960", date(1960, 3, 3)),
        ("hari ini", TODAY),
        ("kemarin", date(2025, 8, 31)),
    ],
)
def test_parse_date_month_names(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31-02-2025", "Tanggal 31-02-2025 tidak ada."),
        ("29 Feb 2025", "Tanggal 29-02-2025 tidak ada."),
        ("17 foo 2025", "Mohon ketik tanggal seperti 17-08-2025"),
        ("17-13-2025", "Mohon ketik tanggal seperti 17-08-2025"),
        ("besok", "Mohon ketik tanggal seperti 17-08-2025"),
        ("", "Mohon ketik tanggal seperti 17-08-2025"),
    ],
)
def test_parse_date_invalid(text: str, message: str) -> None:
    assert message in error_of(parse_date, text, TODAY)


def test_parse_date_bounds() -> None:
    not_future = lambda today: today  # noqa: E731
    assert error_of(parse_date, "01-01-2030", TODAY, max=not_future) == (
        "Tanggal tidak boleh sesudah 1 September 2025."
    )
    assert error_of(parse_date, "31-12-1899", TODAY, min=date(1900, 1, 1)) == (
        "Tanggal tidak boleh sebelum 1 Januari 1900."
    )
    # two-digit year: 20YY unless after the latest allowed date
    assert parse_date("01-01-30", TODAY, max=not_future) == date(1930, 1, 1)
    assert parse_date("01-01-30", TODAY) == date(2030, 1, 1)


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2024, 3, 19), "Selasa, 19 Maret 2024"),
        (date(2025, 9, 1), "Senin, 1 September 2025"),
        (date(2025, 8, 17), "Minggu, 17 Agustus 2025"),
    ],
)
def test_format_date_id(d: date, text: str) -> None:
    assert format_date_id(d) == text


def test_format_datetime_id_in_jakarta_time() -> None:
    from datetime import UTC

    from conversations.validators import format_datetime_id
    from tests.harness import in_id

    when = datetime(2024, 3, 19, 2, 0, tzinfo=UTC)  # 09.00 WIB
    assert in_id(format_datetime_id, when) == "Selasa, 19 Maret 2024, pukul 09.00 WIB"
