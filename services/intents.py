"""What a resident probably wants, from a sentence typed in everyday Indonesian, typos included.

"kapan bansos cair?", "jdwal blt", "mau daftar pelatihan jahit", "cara lapor" -> a command.
Each intent has weighted keywords; every typed word is matched to the closest keyword (exact,
a known abbreviation, or difflib similarity ≥ 0.8 for words of 4 letters or more) and the
intent with the highest score wins. Pure Python: no aiogram, no database.
"""

from __future__ import annotations

import re
from difflib import get_close_matches

# intent -> {keyword: weight}. Specific words weigh more than generic ones, so that
# "mau daftar pelatihan jahit" is about training, not about linking the household.
KEYWORDS: dict[str, dict[str, float]] = {
    "jadwal": {
        "jadwal": 3, "cair": 3, "pencairan": 3, "dicairkan": 3, "kapan": 1.5, "bansos": 2,
        "blt": 2.5, "pkh": 2.5, "bpnt": 2.5, "sembako": 2, "tanggal": 1, "ambil": 1,
        "pengambilan": 2, "uang": 1, "turun": 1.5, "bantuan": 1,
    },
    "pelatihan": {
        "pelatihan": 4, "latihan": 3.5, "kursus": 4, "jahit": 4, "menjahit": 4, "training": 4,
        "keterampilan": 3.5, "keahlian": 3, "masak": 2, "kerja": 1.5, "usaha": 1.5,
        "bengkel": 3, "salon": 3, "komputer": 3,
    },
    "lapor": {
        "lapor": 4, "laporan": 3.5, "melapor": 4, "laporkan": 4, "kondisi": 2.5, "keadaan": 2,
        "sakit": 2, "kelaparan": 2.5, "lapar": 2, "rusak": 1.5, "roboh": 2, "bocor": 2,
    },
    "daftar": {
        "daftar": 3, "mendaftar": 3, "pendaftaran": 3, "registrasi": 3, "terdaftar": 3,
        "kk": 2, "nik": 2, "hubungkan": 2.5, "keluarga": 1, "usulan": 3, "usul": 3,
        "diusulkan": 3,
    },
    "dataku": {
        "data": 2.5, "dataku": 4, "koreksi": 3.5, "perbaiki": 3, "salah": 1.5, "ubah": 2,
        "ganti": 1.5, "hapus": 2.5, "privasi": 2,
    },
    "cek": {
        "penipuan": 4, "tipu": 4, "menipu": 4, "hoax": 4, "hoaks": 4, "asli": 3, "palsu": 4,
        "resmi": 2.5, "cek": 3, "periksa": 2, "benarkah": 2.5, "benar": 1, "pesan": 1.5,
        "sms": 2, "whatsapp": 1.5, "wa": 1, "transfer": 2, "otp": 3, "pin": 2.5,
    },
    "bantuan": {
        "bantu": 2, "tolong": 2, "help": 3, "cara": 1.5, "bagaimana": 1.5, "gimana": 1.5,
        "bingung": 2.5, "menu": 2.5, "caranya": 1.5,
    },
    "salam": {
        "halo": 3, "hallo": 3, "hai": 3, "assalamualaikum": 3, "pagi": 2, "siang": 2,
        "sore": 2, "malam": 2, "permisi": 2, "terima": 1.5, "kasih": 1.5, "makasih": 3,
    },
}  # fmt: skip

# Abbreviations and slang as typed on a phone -> the word they stand for.
ABBREVIATIONS = {
    "kpn": "kapan", "kapn": "kapan", "kpan": "kapan", "bnsos": "bansos", "bansoss": "bansos",
    "jdwl": "jadwal", "jdwal": "jadwal", "jadwl": "jadwal", "cairny": "cair", "cairnya": "cair",
    "plthn": "pelatihan", "pltihan": "pelatihan", "dftr": "daftar", "daptar": "daftar",
    "lpr": "lapor", "lapr": "lapor", "gmn": "gimana", "gmana": "gimana", "gmna": "gimana",
    "tlg": "tolong", "tlng": "tolong", "aslm": "assalamualaikum", "ass": "assalamualaikum",
    "askum": "assalamualaikum", "mksh": "makasih", "trims": "makasih", "tq": "makasih",
    "hlo": "halo", "dtku": "dataku", "hoak": "hoaks", "tipuan": "tipu",
}  # fmt: skip

# Words that carry no intent (and must not be fuzzily matched to one).
STOP_WORDS = frozenset(
    "saya aku kami mau ingin ini itu yang dan di ke dari apa apakah ada sudah belum bisa "
    "untuk dengan pak bu ibu bapak min kak mas mbak dong ya ga gak nggak tidak kok sih".split()
)

THRESHOLD = 2.5
FUZZY_CUTOFF = 0.8
_WORD = re.compile(r"[a-z0-9]+")
_VOCABULARY = sorted({word for words in KEYWORDS.values() for word in words})


def _canonical(word: str) -> str | None:
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    if word in STOP_WORDS:
        return None
    if word in _VOCABULARY or len(word) < 4:
        return word
    close = get_close_matches(word, _VOCABULARY, n=1, cutoff=FUZZY_CUTOFF)
    return close[0] if close else word


def words_of(text: str) -> list[str]:
    return [w for w in (_canonical(w) for w in _WORD.findall(text.casefold())) if w]


def guess(text: str) -> str | None:
    """The most likely intent, or None when nothing is likely enough."""
    words = words_of(text)
    scores: dict[str, float] = {}
    for intent, keywords in KEYWORDS.items():
        score = sum(keywords.get(word, 0.0) for word in set(words))
        if score:
            scores[intent] = score
    if not scores:
        return None
    best = max(scores, key=lambda intent: scores[intent])
    return best if scores[best] >= THRESHOLD else None
