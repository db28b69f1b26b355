"""Roles and what each may see. Volunteers are scoped to an area (PSM: desa, TKSK: kecamatan)."""

from __future__ import annotations

WARGA = "warga"
PSM = "psm"
TKSK = "tksk"
PETUGAS = "petugas"

ROLES = (WARGA, PSM, TKSK, PETUGAS)
VOLUNTEERS = frozenset({PSM, TKSK})
STAFF = frozenset({PETUGAS})
# Staff may do what volunteers do (e.g. look up a household); their area is the kabupaten.
VOLUNTEERS_AND_STAFF = frozenset({PSM, TKSK, PETUGAS})
ALL_ROLES = frozenset(ROLES)

# The level of region a volunteer's area must be.
AREA_LEVEL = {PSM: ("desa", "kelurahan"), TKSK: ("kecamatan",)}
