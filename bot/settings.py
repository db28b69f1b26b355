"""Typed settings from the environment and `.env` (pydantic-settings).

Bad or missing settings raise `SettingsError` with one line that names the variable;
the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.case_times import AnswerTimes

log = logging.getLogger(__name__)

TELEGRAM_API_DEFAULT = "https://api.telegram.org"
SQLITE_FILE_NAME = "nirmiskin.db"
SECRET_FILE_NAME = "secret.key"
PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "changethis", "your-secret-key"}


class SettingsError(Exception):
    """One line that tells the operator which variable to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: str | None = None
    # The bot's @username, for the photo links of `python -m bot export` (the running bot asks
    # Telegram); without it a photo cell holds the command to send the bot instead.
    bot_username: str | None = None
    telegram_api_base: str = TELEGRAM_API_DEFAULT
    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    secret_key: str | None = None
    log_level: str = "INFO"
    # Per-user flood control: at most this many updates per `throttle_window` seconds.
    throttle_rate: int = Field(default=20, ge=1)
    throttle_window: float = Field(default=10.0, gt=0)
    # How long an account (role, area, consent) is served from memory; changes made by another
    # process (the CLI's grant, another instance) are seen after at most this long.
    account_cache_seconds: float = Field(default=30.0, ge=0)
    # A conversation left unfinished this many days is forgotten (it may hold a NIK).
    fsm_retention_days: int = Field(default=30, ge=1)
    # Webhook mode (several instances behind a load balancer); empty = long polling.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Where residents can reach the office (privacy notice, help); set the real address/phone.
    office_contact: str = "Dinas Sosial Kabupaten Bekasi, Cikarang Pusat"
    # The office's complaint channel (SP4N-LAPOR! asks offices to publish it): phone, WhatsApp
    # and opening hours. Empty: the line is left out (never a made-up number).
    office_phone: str = ""
    office_whatsapp: str = ""
    office_hours: str = ""
    # Answer times of residents' complaints (SP4N-LAPOR!): first answer due, a reminder to the
    # volunteer, passed up to the TKSK unanswered, then to staff (in working days).
    case_first_answer_days: int = Field(default=3, ge=1)
    case_reminder_hours: int = Field(default=24, ge=1)
    case_tksk_after_days: int = Field(default=3, ge=1)
    case_staff_after_working_days: int = Field(default=5, ge=1)
    # Extreme-poverty line in rupiah per person per month (BPS 2021, US$1.9 PPP).
    extreme_poverty_line: int = Field(default=322_170, gt=0)
    # Broadcast messages per second, for all instances together (Telegram allows about 30/s;
    # up to 1000/s with paid broadcasts enabled for the bot).
    broadcast_rate: float = Field(default=25.0, gt=0, le=1000)
    # Whether this process may send broadcasts (only one sends at a time; others stand by).
    broadcast_worker: bool = True
    # Hour (WIB) of the day before a disbursement or training when its reminder goes out.
    reminder_hour: int = Field(default=16, ge=0, le=23)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        left, sep, right = value.partition(":")
        if not sep or not left.isdigit() or not right:
            raise ValueError("looks wrong: expected the form 123456789:ABC... from @BotFather")
        return value

    @field_validator("bot_username")
    @classmethod
    def _username_shape(cls, value: str | None) -> str | None:
        value = (value or "").strip().removeprefix("@").removeprefix("https://t.me/")
        if not value:
            return None
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", value):
            raise ValueError("must be the bot's @username, like nirmiskin_bot")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError(
                    "must be Telegram user ids (numbers) separated by commas"
                ) from None
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            # Operators copy URLs from their hosting panel; pick the async driver for them.
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @property
    def answer_times(self) -> AnswerTimes:
        return AnswerTimes(
            first_answer=dt.timedelta(days=self.case_first_answer_days),
            reminder_after=dt.timedelta(hours=self.case_reminder_hours),
            to_tksk_after=dt.timedelta(days=self.case_tksk_after_days),
            to_staff_after_working_days=self.case_staff_after_working_days,
        )

    @property
    def uses_default_database(self) -> bool:
        return self.database_url is None

    @cached_property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / SQLITE_FILE_NAME).as_posix()}"

    @property
    def secret_file(self) -> Path:
        return self.data_dir / SECRET_FILE_NAME

    def configured_secret(self) -> bytes | None:
        """SECRET_KEY, else the key in data/secret.key; None when there is neither."""
        if self.secret_key:
            return self.secret_key.encode()
        if self.secret_file.exists():
            return self.secret_file.read_text().strip().encode() or None
        return None

    @cached_property
    def secret(self) -> bytes:
        """The key material for NIK/KK hashing and encryption. Never made up here: a new key
        is generated only by bot.key_check, on a database that holds nothing yet."""
        key = self.configured_secret()
        if key is None:
            raise SettingsError(
                f"SECRET_KEY: not set and {self.secret_file} does not exist"
            )
        return key

    def generate_secret(self) -> bytes:
        """Write a new random key to data/secret.key (mode 0600 from its creation)."""
        from db.private_files import write_private

        self.secret_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_private(self.secret_file, secrets.token_urlsafe(48))
        except FileExistsError:
            raise SettingsError(f"SECRET_KEY: {self.secret_file} is empty") from None
        log.warning(
            "SECRET_KEY is not set: generated one in %s. Back it up: without it the stored "
            "NIK/KK numbers cannot be read or matched.",
            self.secret_file,
        )
        return self.secret_file.read_text().strip().encode()

    def check_secret(self) -> None:
        if self.secret_key is not None:
            key = self.secret_key.strip()
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise SettingsError(
                    "SECRET_KEY: use a random value of at least 32 characters "
                    "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
        elif not self.uses_default_database:
            raise SettingsError(
                "SECRET_KEY: required when DATABASE_URL is set (every instance must share it)"
            )


def load_settings(**overrides: Any) -> Settings:
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "settings"
        message = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from None
    settings.check_secret()
    return settings
