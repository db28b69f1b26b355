"""Is this message really from Dinas Sosial? (`/cek`)

A resident forwards or pastes a message they got. It is compared with the broadcasts this bot
actually sent (at least one delivery with status "sent"), after normalising what forwarding
and copying change: formatting tags, letter case, spacing and line breaks, curly quotes,
invisible characters. A pasted message matches when it is the same text, nearly the same (a
few characters lost or changed in copying: similarity ≥ 0.9), or a long enough part of one.
The character-level comparison (difflib, the costly step) runs only for the three broadcasts
sharing the most words with the text; normalised broadcasts are kept in memory.

Independently, words that scams use (transfer, biaya, PIN, OTP...) are flagged: Dinas Sosial
never asks for money, PINs or OTP codes. The text is never stored or logged.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Broadcast, Delivery, utcnow

NEAR = 0.9  # similarity above which a text counts as the same message
MIN_PART = 40  # characters a pasted part must have to count as "part of" a broadcast
LOOK_BACK = dt.timedelta(days=366)
MAX_CANDIDATES = 2000

_TAGS = re.compile(r"<[^>]{1,200}>")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'"})
_SPACE = re.compile(r"\s+")
_PUNCT_SPACE = re.compile(r"\s*([.,:;!?])\s*")

# Words (after normalising) that ask for money or secrets: always a scam in a "Dinsos" message.
_SCAM_PATTERNS = [
    re.compile(p)
    for p in (
        r"\btransfer\b",
        r"\btf\b",
        r"\bbiaya (admin|administrasi|pencairan|pendaftaran)",
        r"\bongkos\b",
        r"\bpulsa\b",
        r"\bno(mor)?\.? ?rek(ening)?\b",
        r"\brekening\b",
        r"\bpin\b",
        r"\botp\b",
        r"\bkode (verifikasi|otp|rahasia)",
        r"\bpassword\b|\bkata sandi\b",
        r"\bbayar\b|\bmembayar\b|\bpembayaran\b",
        r"\bwa\.me/|\bbit\.ly/|\bs\.id/",
        r"\bklik link\b|\bklik tautan\b",
    )
]


def normalise(text: str) -> str:
    """The text as a comparison sees it (case, spacing, formatting and quotes removed)."""
    text = html.unescape(_TAGS.sub("", text or ""))
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_QUOTES)
    text = _SPACE.sub(" ", text.casefold()).strip()
    return _PUNCT_SPACE.sub(r"\1 ", text).strip()


@dataclass(frozen=True)
class CheckResult:
    matched: bool
    broadcast_id: int | None = None
    sent_at: dt.datetime | None = None
    how: str | None = None  # exact | near | part
    scam_signs: bool = False
    original: str | None = None  # the broadcast's text, shown for a near match to compare


def scam_signs(text: str) -> bool:
    normal = normalise(text)
    return any(p.search(normal) for p in _SCAM_PATTERNS)


_WORDS = re.compile(r"\w+")
SHORTLIST = 3  # near candidates compared character by character (the costly step)
MIN_OVERLAP = 0.6  # share of words two texts must have in common to be compared closely
_CACHE_SIZE = 5000
# Sent broadcasts never change: their normalised form is kept (text -> normalised, words).
_normalised: dict[str, tuple[str, frozenset[str]]] = {}


def _prepared(body: str) -> tuple[str, frozenset[str]]:
    found = _normalised.get(body)
    if found is None:
        if len(_normalised) >= _CACHE_SIZE:
            _normalised.clear()
        text = normalise(body)
        found = _normalised[body] = (text, frozenset(_WORDS.findall(text)))
    return found


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _near(wanted: str, candidate: str) -> bool:
    matcher = SequenceMatcher(None, wanted, candidate, autojunk=False)
    if matcher.real_quick_ratio() < NEAR or matcher.quick_ratio() < NEAR:
        return False
    return matcher.ratio() >= NEAR


async def check(session: AsyncSession, text: str) -> CheckResult:
    wanted = normalise(text)
    signs = scam_signs(text)
    if not wanted:
        return CheckResult(False, scam_signs=signs)
    sent = (
        select(Delivery.broadcast_id)
        .where(Delivery.status == "sent")
        .group_by(Delivery.broadcast_id)
    )
    rows = await session.execute(
        select(Broadcast.id, Broadcast.text, Broadcast.started_at, Broadcast.created_at)
        .where(Broadcast.id.in_(sent), Broadcast.created_at > utcnow() - LOOK_BACK)
        .order_by(Broadcast.id.desc())
        .limit(MAX_CANDIDATES)
    )
    words = frozenset(_WORDS.findall(wanted))
    shortlist: list[tuple[float, int, str, Any]] = []
    for broadcast_id, body, started_at, created_at in rows:
        candidate, candidate_words = _prepared(body)
        when = started_at or created_at
        if wanted == candidate or (len(wanted) >= MIN_PART and wanted in candidate):
            how = "exact" if wanted == candidate else "part"
            return CheckResult(True, broadcast_id, when, how, signs, _TAGS.sub("", body))
        overlap = _overlap(words, candidate_words)
        if overlap >= MIN_OVERLAP:
            shortlist.append((overlap, broadcast_id, body, when))
    # Character-level similarity only for the few closest by words: it is the costly step.
    shortlist.sort(key=lambda item: (-item[0], -item[1]))
    for _score, broadcast_id, body, when in shortlist[:SHORTLIST]:
        # A near copy that adds a request for money (a bank account, "biaya admin") is a
        # doctored message, not ours, however similar the rest is.
        if signs and not scam_signs(body):
            continue
        if _near(wanted, _prepared(body)[0]):
            return CheckResult(True, broadcast_id, when, "near", signs, _TAGS.sub("", body))
    return CheckResult(False, scam_signs=signs)
