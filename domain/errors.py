"""Why an input breaks a rule, as a code and its values (never as words: see __init__)."""

from __future__ import annotations

from typing import Any


class Invalid(ValueError):
    """An input that breaks a rule: `code` names the rule (e.g. "nik.length"), `params` the
    values a message about it may show (e.g. {"count": 15})."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
