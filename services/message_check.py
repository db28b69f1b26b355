"""Is this message really from Dinas Sosial? (`/cek`)

A resident forwards or pastes a message they got. It is compared with the broadcasts this bot
actually sent (at least one delivery with status "sent"), after normalising what forwarding
and copying change: formatting tags, letter case, spacing and line breaks, curly quotes,
invisible characters. A pasted message matches when it is the same text, nearly the same (a
few characters lost or changed in copying: similarity ≥ 0.9), or a long enough part of one.

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


def _compare(wanted: str, candidate: str) -> str | None:
    if wanted == candidate:
        return "exact"
    if len(wanted) >= MIN_PART and wanted in candidate:
        return "part"
    matcher = SequenceMatcher(None, wanted, candidate, autojunk=False)
    if matcher.real_quick_ratio() >= NEAR and matcher.quick_ratio() >= NEAR:
        if matcher.ratio() >= NEAR:
            return "near"
    return None


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
    for broadcast_id, body, started_at, created_at in rows:
        how = _compare(wanted, normalise(body))
        # A near copy that adds a request for money (a bank account, "biaya admin") is a
        # doctored message, not ours, however similar the rest is.
        if how == "near" and signs and not scam_signs(body):
            continue
        if how is not None:
            return CheckResult(
                True, broadcast_id, started_at or created_at, how, signs, _TAGS.sub("", body)
            )
    return CheckResult(False, scam_signs=signs)
