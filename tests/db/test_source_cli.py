"""`python -m bot import FILE --map field=Column --layout NAME --relation-codes SYSTEM`: a file
no layout knows is read by the columns given, and the choice is remembered."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.db.test_export import cli_env  # noqa: F401  (the fixture)

ROWS = ("Nomor Keluarga;Nomor Identitas;Nama Warga;Status;Kelurahan Domisili;Kec.\n"
        "3216181503120001;3216181205780003;AHMAD;1;Cibening;Setu\n"
        "3216181503120001;3216186308820002;SITI;3;Cibening;Setu\n")  # fmt: skip


def test_cli_maps_columns_by_hand_and_remembers(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture  # noqa: F811
):
    path = tmp_path / "lain.csv"
    path.write_text(ROWS, encoding="utf-8")
    assert main(["import", str(path)]) == 2
    assert "--map" in capsys.readouterr().err
    assert main(["import", str(path), "--map", "nik=nomor identitas"]) == 2  # desa still missing
    capsys.readouterr()
    assert main(["import", str(path), "--map", "bogus=Nama Warga"]) == 2
    assert "FIELD=COLUMN" in capsys.readouterr().err
    assert main(["import", str(path), "--layout", "Excel"]) == 2
    capsys.readouterr()
    args = ["import", str(path), "--map", "no_kk=Nomor Keluarga", "--map",
            "nik=Nomor Identitas", "--map", "nama=Nama Warga", "--map",
            "desa=Kelurahan Domisili", "--map", "hubungan=Status"]  # fmt: skip
    assert main(args) == 2  # numeric relations: the system is asked, never guessed
    assert "--relation-codes" in capsys.readouterr().err
    assert main([*args, "--relation-codes", "dukcapil"]) == 0
    out = capsys.readouterr().out
    assert "Orang ditambahkan: 2" in out and "Baris ditolak: 0" in out
    # The same headers again: imported without any option, by the remembered choice.
    assert main(["import", str(path)]) == 0
    assert "Orang tidak berubah: 2" in capsys.readouterr().out
