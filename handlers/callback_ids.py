"""Bounded numbers for callback data, so a crafted button cannot reach the database.

Callback data comes from the client: anyone can send `hh:open:99999999999999999999999`.
An id past the column's range makes SQLite raise OverflowError and PostgreSQL a DBAPIError
(the id columns are INTEGER, int4), and the person would see "something went wrong". With
these types on the CallbackData fields, such data fails to unpack, the button's filter does
not match, and the fallback refuses it politely like any other stale or crafted button.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ROW_ID = 2**31 - 1  # INTEGER primary keys (PostgreSQL int4, the smaller of the two)
MAX_PAGE = 100_000  # page numbers of a list: far more than any list has

RowId = Annotated[int, Field(ge=0, le=MAX_ROW_ID)]
Page = Annotated[int, Field(ge=0, le=MAX_PAGE)]


def row_id(text: str) -> int | None:
    """An id carried in a text field of callback data (a field shared with region codes):
    the number when it is plain ASCII digits within range, else None."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None
