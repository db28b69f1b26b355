"""The field's rules, without a framework: NIK and No. KK, rupiah, numbers, phones, dates and
WIB, roles. Nothing here imports aiogram, SQLAlchemy or gettext (the import rules in
pyproject.toml check it): a rule that is broken raises `domain.errors.Invalid` with a code,
and the layer that talks to people turns the code into words (conversations.validators).
The facts behind the rules: docs/domain.md."""
