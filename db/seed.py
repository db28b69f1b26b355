"""Reference data shipped with the project: Bekasi regions and the aid programs.

Used by the first migration; kept as functions of a sync connection so Alembic can call them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

REGIONS_CSV = Path(__file__).parent / "data" / "bekasi_wilayah.csv"

# Program codes are stable identifiers; names are the official Indonesian names.
AID_PROGRAMS = [
    ("BLT", "Bantuan Langsung Tunai"),
    ("PKH", "Program Keluarga Harapan"),
    ("BPNT", "Bantuan Pangan Non-Tunai"),
    ("RUTILAHU", "Rehabilitasi Rumah Tidak Layak Huni"),
    ("LAINNYA", "Bantuan lainnya"),
]


def read_regions() -> list[dict[str, str | None]]:
    with REGIONS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "code": row["kode"],
            "name": row["nama"],
            "level": row["tingkat"],
            # The province (32) is outside our table: the kabupaten is the root.
            "parent_code": row["kode_induk"] if row["tingkat"] != "kabupaten" else None,
        }
        for row in rows
    ]


def seed_regions(connection: Connection) -> None:
    regions = sa.table(
        "regions",
        sa.column("code"),
        sa.column("name"),
        sa.column("level"),
        sa.column("parent_code"),
    )
    rows = read_regions()
    # Parents first so the self-referencing foreign key holds on PostgreSQL.
    order = {"kabupaten": 0, "kecamatan": 1, "desa": 2, "kelurahan": 2}
    rows.sort(key=lambda row: order[str(row["level"])])
    connection.execute(regions.insert(), rows)


def seed_aid_programs(connection: Connection) -> None:
    programs = sa.table("aid_programs", sa.column("code"), sa.column("name"))
    connection.execute(programs.insert(), [{"code": c, "name": n} for c, n in AID_PROGRAMS])
