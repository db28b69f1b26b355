"""Is this message really from Dinas Sosial? (`/cek`)

A resident forwards or pastes a message they got. It is compared with the broadcasts this bot
actually sent (at least one delivery with status "sent"), after normalising what forwarding
and copying change: formatting tags, letter case, spacing and line breaks, curly quotes,
invisible characters. A pasted message matches when it is the same text, nearly the same (a
few characters lost or changed in copying: similarity ≥ 0.9, rapidfuzz's normalised Indel
similarity, as difflib's ratio but in C), or a long enough part of one. A broadcast's text
never changes once sent: its normalised form is kept in memory by id, so a check reads only
the ids of the broadcasts sent, and the texts of new ones.

Independently, words that scams use (transfer, biaya, PIN, OTP...) are flagged: Dinas Sosial
never asks for money, PINs or OTP codes. The text is never stored or logged.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery

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


SHORTLIST = 3  # near copies looked at, most similar first
_CACHE_SIZE = 10_000


@dataclass
class _Candidates:
    """The broadcasts a check compares with, and the fingerprint of the set they came from."""

    fingerprint: tuple[Any, ...] = ()
    ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # normalised, in the order of `ids`
    # Sent broadcasts never change: their normalised text and original body, by id.
    known: dict[int, tuple[str, str]] = field(default_factory=dict)


# One per database (a process may hold several: tests, a migration next to the bot).
_by_database: dict[str, _Candidates] = {}


def _sent_in_the_last_year() -> Any:
    sent = exists().where(Delivery.broadcast_id == Broadcast.id, Delivery.status == "sent")
    return sent, Broadcast.created_at > utcnow() - LOOK_BACK


async def _sent_broadcasts(session: AsyncSession) -> _Candidates:
    """The broadcasts sent in the last year (newest first, at most MAX_CANDIDATES). The set
    only grows, or loses what ages out: one aggregate row (count, newest id, sum of ids) tells
    whether it changed since the last check; only then are the ids read again, and the texts
    of broadcasts not seen before."""
    database = str(session.get_bind().engine.url)
    cached = _by_database.setdefault(database, _Candidates())
    conditions = _sent_in_the_last_year()
    newest = (
        select(Broadcast.id)
        .where(*conditions)
        .order_by(Broadcast.id.desc())
        .limit(MAX_CANDIDATES)
        .subquery()
    )
    fingerprint = tuple(
        (
            await session.execute(
                select(func.count(), func.max(newest.c.id), func.sum(newest.c.id))
            )
        ).one()
    )
    if fingerprint == cached.fingerprint:
        return cached
    ids = list(await session.scalars(select(newest.c.id).order_by(newest.c.id.desc())))
    known = cached.known
    missing = [broadcast_id for broadcast_id in ids if broadcast_id not in known]
    if missing:
        if len(known) + len(missing) > _CACHE_SIZE:
            known.clear()
            missing = ids
        texts = await session.execute(
            select(Broadcast.id, Broadcast.text).where(Broadcast.id.in_(missing))
        )
        for broadcast_id, body in texts:
            known[broadcast_id] = (normalise(body), body)
    ids = [i for i in ids if i in known]
    cached = _by_database[database] = _Candidates(
        fingerprint, ids, [known[i][0] for i in ids], known
    )
    return cached


async def _result(
    session: AsyncSession, candidates: _Candidates, broadcast_id: int, how: str, signs: bool
) -> CheckResult:
    broadcast = await session.get(Broadcast, broadcast_id)
    when = broadcast.started_at or broadcast.created_at if broadcast is not None else None
    body = candidates.known[broadcast_id][1]
    return CheckResult(True, broadcast_id, when, how, signs, _TAGS.sub("", body))


async def check(session: AsyncSession, text: str) -> CheckResult:
    wanted = normalise(text)
    signs = scam_signs(text)
    if not wanted:
        return CheckResult(False, scam_signs=signs)
    candidates = await _sent_broadcasts(session)
    for index, candidate in enumerate(candidates.texts):
        if wanted == candidate or (len(wanted) >= MIN_PART and wanted in candidate):
            how = "exact" if wanted == candidate else "part"
            return await _result(session, candidates, candidates.ids[index], how, signs)
    near = process.extract(
        wanted, candidates.texts, scorer=fuzz.ratio, score_cutoff=NEAR * 100, limit=SHORTLIST
    )
    for _text, _score, index in near:
        broadcast_id = candidates.ids[index]
        # A near copy that adds a request for money (a bank account, "biaya admin") is a
        # doctored message, not ours, however similar the rest is.
        if signs and not scam_signs(candidates.known[broadcast_id][1]):
            continue
        return await _result(session, candidates, broadcast_id, "near", signs)
    return CheckResult(False, scam_signs=signs)
