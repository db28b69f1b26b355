"""Residents' text as the model reads it: lower case, slang and abbreviations written out,
numbers folded, words stemmed (Sastrawi, the Indonesian stemmer).

"sy blm dapet bnsos" and "saya belum mendapatkan bansos" should look alike to the model; the
list below is of spellings, not of intents: it says what a word is, never what it means
for routing (that is learned from the labeled messages in data/).
"""

from __future__ import annotations

import re
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

# Spellings seen in residents' messages -> the standard word. Javanese, Sundanese and Betawi
# words that residents mix in are written out too where Indonesian has one word for them.
SPELLINGS = {
    "sy": "saya", "sya": "saya", "aq": "saya", "aku": "saya", "gw": "saya", "gue": "saya",
    "gua": "saya", "abdi": "saya", "kulo": "saya", "ane": "saya",
    "blm": "belum", "blum": "belum", "durung": "belum", "teu": "tidak", "acan": "belum",
    "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "wis": "sudah",
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak",
    "enggak": "tidak", "engga": "tidak", "kagak": "tidak", "tdk": "tidak", "tak": "tidak",
    "mboten": "tidak", "ora": "tidak", "moal": "tidak",
    "dapet": "dapat", "dpt": "dapat", "dapat": "dapat", "olih": "dapat",
    "bgt": "banget", "yg": "yang", "dgn": "dengan", "utk": "untuk", "untk": "untuk",
    "krn": "karena", "karna": "karena", "soalnya": "karena", "tp": "tapi", "tpi": "tapi",
    "gmn": "bagaimana", "gmna": "bagaimana", "gimana": "bagaimana", "gmana": "bagaimana",
    "kpn": "kapan", "kpan": "kapan", "kapn": "kapan", "iraha": "kapan",
    "knp": "kenapa", "napa": "kenapa", "kenapa": "kenapa",
    "tlg": "tolong", "tlng": "tolong", "punten": "permisi",
    "min": "admin", "mimin": "admin", "kak": "kakak", "pak": "bapak", "bu": "ibu",
    "mksh": "terima kasih", "makasih": "terima kasih", "makasi": "terima kasih",
    "trims": "terima kasih", "tq": "terima kasih", "thx": "terima kasih",
    "nuhun": "terima kasih", "suwun": "terima kasih",
    "bnsos": "bansos", "bansoss": "bansos", "jdwl": "jadwal", "jdwal": "jadwal",
    "plthn": "pelatihan", "dftr": "daftar", "daptar": "daftar", "lpr": "lapor",
    "hp": "telepon", "telp": "telepon", "tlp": "telepon", "telpon": "telepon",
    "no": "nomor", "nmr": "nomor", "org": "orang", "orng": "orang", "sm": "sama",
    "bs": "bisa", "bsa": "bisa", "gbs": "tidak bisa", "lg": "lagi", "lgi": "lagi",
    "aja": "saja", "aj": "saja", "jg": "juga", "jgn": "jangan", "klo": "kalau",
    "kalo": "kalau", "kl": "kalau", "sampe": "sampai", "smp": "sampai", "ank": "anak",
    "bln": "bulan", "thn": "tahun", "tgl": "tanggal", "rb": "ribu", "jt": "juta",
    "ngk": "tidak", "emang": "memang", "tau": "tahu", "tw": "tahu", "pengen": "ingin",
    "pgn": "ingin", "mo": "mau", "mw": "mau", "pengin": "ingin",
}  # fmt: skip

_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_STEMMER = StemmerFactory().create_stemmer()


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    stemmed: str = _STEMMER.stem(word)
    return stemmed or word


def words(text: str) -> list[str]:
    """The text's words, spelled out; a number is the word "0" (its value says nothing)."""
    out: list[str] = []
    for word in _WORD.findall(text.casefold()):
        if word.isdigit():
            out.append("0")
            continue
        word = re.sub(r"(.)\1{2,}", r"\1", word)  # "tolooong" -> "tolong"
        out.extend(SPELLINGS.get(word, word).split())
    return out


def spelled(text: str) -> str:
    """The text with slang written out: what the character n-grams see."""
    return " ".join(words(text))


def stemmed(text: str) -> str:
    """Word stems of the spelled-out text: what the word n-grams see."""
    return " ".join(stem(word) for word in words(text))
