"""The database models, one module per subject. Import a model from its module
(`from db.models.households import Household`).

Importing any of them imports this package first, and so every model: SQLAlchemy resolves
relationships and Alembic compares the schema against the whole of `Base.metadata`.
"""

from db.models import (
    accounts,
    aid,
    base,
    broadcasts,
    cases,
    field,
    households,
    imports,
    system,
)  # fmt: skip

__all__ = [
    "accounts", "aid", "base", "broadcasts", "cases", "field", "households", "imports",
    "system",
]  # fmt: skip
