"""The reason a person is given when an answer breaks a rule of `domain/`, by the rule's code.
The bot shows them when a form answer is refused; the import report writes them beside a
refused NIK or KK."""

from __future__ import annotations

from typing import Any

from texts import lazy_gettext as __

# Each rule of domain/ and what a person is told when an answer breaks it.
MESSAGES: dict[str, Any] = {
    "nik.digits_only": __("The NIK may contain only digits (16 digits)."),
    "nik.length": __("NIK must be 16 digits; you typed {count}."),
    "nik.province": __(
        "The first two digits of the NIK ({code}) are not a province code. "
        "Please check the NIK on the KTP or KK."
    ),
    "nik.region": __(
        "Digits 3 to 6 of the NIK (the region code) cannot be 00. Please check again."
    ),
    "nik.date": __(
        "Digits 7 to 12 of the NIK must be the birth date (DDMMYY), "
        "but {part} is not a valid date. Please check again."
    ),
    "nik.serial": __("The last four digits of the NIK cannot be 0000. Please check again."),
    "kk.digits_only": __("The KK number may contain only digits (16 digits)."),
    "kk.length": __("The KK number must be 16 digits; you typed {count}."),
    "kk.province": __(
        "The first two digits of the KK number ({code}) are not a province code. "
        "Please check the Kartu Keluarga."
    ),
    "kk.region": __(
        "Digits 3 to 6 of the KK number (the region code) cannot be 00. Please check again."
    ),
    "kk.date": __(
        "Digits 7 to 12 of the KK number must be a date (DDMMYY), "
        "but {part} is not a valid date. Please check again."
    ),
    "kk.serial": __("The last four digits of the KK number cannot be 0000. Please check again."),
    "rupiah.invalid": __("Please type an amount in rupiah, for example 1.500.000 or 1,5 juta."),
    "rupiah.negative": __("The amount cannot be negative."),
    "rupiah.too_large": __("That amount is too large (more than {limit}). Please check again."),
    "number.invalid": __("Please type a whole number, for example 3."),
    "number.range": __("Please type a number from {min} to {max}."),
    "number.min": __("The number must be at least {min}."),
    "number.max": __("The number must be at most {max}."),
    "phone.invalid": __(
        "That phone number does not look right. Please type it like 0812-3456-7890."
    ),
    "date.invalid": __("Please type the date like 17-08-2025 or 17 Agustus 2025."),
    "date.not_exist": __("The date {day}-{month}-{year} does not exist. Please check again."),
    "date.before": __("The date cannot be before {date}."),
    "date.after": __("The date cannot be after {date}."),
    "time.invalid": __("Please type the time like 09.00 or 13.30 (WIB)."),
    "when.invalid": __(
        "Please type the day and the time (WIB), like: besok 08.00 or 17-08-2025 09.30."
    ),
    "when.no_time": __("Please add the time (WIB), like: 17-08-2025 09.30."),
    "when.past": __("That time has already passed. Please choose a later time."),
    "when.after": __("The date cannot be after {date}."),
}
