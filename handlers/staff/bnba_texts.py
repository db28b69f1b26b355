"""Texts of the BNBA import (reasons, summary), shared by the bot and the CLI.

The import service names a reason by a code and its parameters; this module says it in the
current gettext language (Indonesian), so the rejected-rows file reads the same from both.
"""

from __future__ import annotations

from typing import Any

from services.bnba_import import ImportSummary
from texts import gettext as _
from texts import lazy_gettext as __
from texts import lazy_pgettext
from texts.rules import MESSAGES

REASONS: dict[str, Any] = {
    "sheet_title": __("Rows to check"),
    "column_row": __("row"),
    "column_status": __("status"),
    "column_reason": __("reason"),
    # TRANSLATORS: a row of the BNBA spreadsheet that was not imported.
    "status_rejected": lazy_pgettext("import row", "rejected"),
    "status_warning": __("imported, please check"),
    "required": __("Column {column} is empty."),
    "excel_number": __(
        "Column {column} holds {value}: Excel turned the number into a rounded one. Format the "
        "column as Text and type the 16 digits again."
    ),
    "name_invalid": __("The name \"{value}\" does not look like a name."),
    "relation_invalid": __(
        "Unknown relation \"{value}\". Use: kepala keluarga, istri, suami, anak, menantu, cucu, "
        "orang tua, mertua, famili lain, lainnya."
    ),
    "sex_invalid": __("Unknown sex \"{value}\". Use L (laki-laki) or P (perempuan)."),
    "date_invalid": __("Birth date \"{value}\" is not a date. Use a format like 17-08-1985."),
    "date_future": __("Birth date \"{value}\" is in the future."),
    "kecamatan_unknown": __("No kecamatan \"{value}\" in Kabupaten Bekasi."),
    "desa_unknown": __("No desa/kelurahan \"{value}\" in Kabupaten Bekasi."),
    "desa_not_in_kecamatan": __("Desa \"{desa}\" is not in Kecamatan {kecamatan}."),
    "desa_ambiguous": __(
        "There are several desa named \"{value}\" (Kecamatan {options}): fill in the kecamatan "
        "column."
    ),
    "rt_rw_invalid": __("Column {column} must be a number (for example 003), not \"{value}\"."),
    "program_unknown": __("Unknown program \"{value}\". Use: {allowed}."),
    "phone_invalid": __("Phone number \"{value}\" is not valid."),
    "yes_no_invalid": __("Column {column} must be \"ya\" or \"tidak\", not \"{value}\"."),
    "duplicate_nik": __("This NIK is already in row {row} of the file."),
    "no_head": __(
        "This family has no \"kepala keluarga\" row. It was imported; please check who heads it."
    ),
    "several_heads": __(
        "This family has more than one \"kepala keluarga\". It was imported; please check."
    ),
    "value_dropped": __("Column {column}: {problem} The value was left out; the row was imported."),
    "kk_dropped": __(
        "Column {column} does not hold a valid No. KK, so it was left out; the family was "
        "imported under the list's own family id."
    ),
    "program_dropped": __("Unknown program \"{value}\" left out. Known programs: {allowed}."),
    "nik_sex_mismatch": __("The NIK does not match the sex {sex} (women's NIK: day + 40)."),
    "nik_birth_mismatch": __("The NIK holds the birth date {nik_date}, not the one in the row."),
    # The file as a whole
    "file_type": __("The file {name} is not CSV or XLSX."),
    "unreadable": __(
        "The file {name} cannot be opened as an Excel workbook (XLSX): it may be damaged or "
        "cut short. Please save it again in Excel and send it again."
    ),
    "not_text": __(
        "The file {name} is not a text (CSV) file: it holds bytes that are not text, such as "
        "a NUL byte, so it may be damaged or another kind of file. Please save it again in "
        "Excel as \"CSV UTF-8\" or as XLSX and send it again."
    ),
    "csv_broken": __(
        "The file {name} cannot be read as CSV: a quotation mark may be left open, or a cell "
        "is far too long. Please check it, save it again in Excel and send it again."
    ),
    "empty": __("The file is empty."),
    "columns_missing": __(
        "No sheet of the file has these columns: {missing}. Tell which column holds each "
        "(python -m bot import FILE --map field=Column)."
    ),
    "relation_codes_needed": __(
        "Column {column} holds relation numbers, and the same number means different things "
        "in different lists (3 is ISTRI on a KK, Anak in BDT). Say which codes the file uses: "
        "--relation-codes dukcapil or --relation-codes bdt."
    ),
    "layout_unknown": __("There is no layout named {layout}."),
    "mapped_column_missing": __("The file has no column {column}."),
}


# What is wrong with an optional value, by the rule of domain.source_values it broke.
PROBLEMS: dict[str, Any] = {
    "source.sex": __("not a sex (use L or P)."),
    "source.date": __("not a date (use a format like 17-08-1985)."),
    "source.relation": __("not a known relation."),
    "source.relation_system": __("a relation number whose code system is unknown."),
    "source.flag": __("not Ya or Tidak."),
    "source.desil": __("not a desil from 1 to 10."),
    "source.padan": __("not Padan or Tidak Padan."),
    "source.rt_rw": __("not an RT/RW number."),
    "source.list": __("not a list this bot knows (P3KE, DTKS, Regsosek, SIKS-NG, KPM)."),
    "source.left_reason": __("not a reason for leaving (pindah, menikah, meninggal, tidak "
                             "tinggal lagi)."),
    "source.left_without_date": __("a reason for leaving without the day they left."),
    "phone.invalid": __("not a valid phone number."),
    "": __("cannot be read."),
}


def describe(code: str, params: dict[str, Any]) -> str:
    """A reason in the current language."""
    if code == "value_dropped":
        problem = PROBLEMS.get(params["rule"], PROBLEMS[""])
        return str(REASONS[code]).format(column=params["column"], problem=problem)
    if code in ("nik_invalid", "kk_invalid"):
        what = _("NIK") if code == "nik_invalid" else _("No. KK")
        rule = MESSAGES[params["rule"]]  # the broken rule of domain.identity, in words
        detail = str(rule).format(**params.get("params", {}))
        return _("{what}: {detail}").format(what=what, detail=detail)
    text = REASONS.get(code)
    if text is None:
        return code
    return str(text).format(**params) if params else str(text)


def summary_text(summary: ImportSummary) -> str:
    lines = [
        _("Import finished: {rows} rows read.").format(rows=summary.rows),
        _("People added: {n}").format(n=summary.added),
        _("People updated: {n}").format(n=summary.updated),
        _("People unchanged: {n}").format(n=summary.unchanged),
        _("Rows rejected: {n}").format(n=summary.rejected),
        _("Families (KK): {added} new, {updated} updated, {unchanged} unchanged").format(
            added=summary.households_added,
            updated=summary.households_updated,
            unchanged=summary.households_unchanged,
        ),
    ]
    if summary.warnings:
        lines.append(_("Imported but to check: {n}").format(n=summary.warnings))
    if summary.sheets:
        lines.append(_("Read as: {sheets}").format(sheets="; ".join(summary.sheets)))
    if summary.skipped:
        lines.append(_("Sheets skipped (their columns were not recognised): {sheets}").format(
            sheets=", ".join(summary.skipped)))
    if summary.rejected_file is not None:
        lines += ["", _("The file below lists those rows with the reason for each.")]
    return "\n".join(lines)
