"""The list of identifying fields is complete: every free-text column of case content is in it."""

from __future__ import annotations

from sqlalchemy import String, Text

from casework.core.db import db
from casework.core.types import PartialDateType, VocabType
from casework.permissions import IDENTIFYING_FIELDS, NOT_IDENTIFYING


def _text_columns(table) -> set[str]:
    return {
        c.name
        for c in table.columns
        if isinstance(c.type, String | Text)
        and not isinstance(c.type, VocabType | PartialDateType)
        and c.name != "public_id"
    }


def test_every_text_column_of_case_content_is_classified(app):
    tables = {t.name: t for t in db.metadata.sorted_tables}
    for name, fields in IDENTIFYING_FIELDS.items():
        assert name in tables, name
        columns = {c.name for c in tables[name].columns}
        relations = fields - columns  # names, places, sources... reached through relationships
        assert relations <= {"names", "place", "agencies", "sources"}, (name, relations)
        unclassified = _text_columns(tables[name]) - fields - NOT_IDENTIFYING.get(name, set())
        assert not unclassified, (
            f"{name}: {sorted(unclassified)} are neither listed identifying nor not"
        )


def test_every_secret_column_is_listed_identifying(app):
    from casework.core.types import SecretText

    for table in db.metadata.sorted_tables:
        if table.name == "users":
            continue  # a credential (the TOTP seed), not case content
        for column in table.columns:
            if isinstance(column.type, SecretText):
                assert column.name in IDENTIFYING_FIELDS.get(table.name, ()), (
                    table.name,
                    column.name,
                )


def test_every_identifying_column_is_encrypted_unless_sql_needs_it(app):
    from casework.core.types import SecretText
    from casework.permissions import PLAINTEXT_IDENTIFYING

    tables = {t.name: t for t in db.metadata.sorted_tables}
    for name, fields in IDENTIFYING_FIELDS.items():
        for column in tables[name].columns:
            if column.name not in fields or column.name in PLAINTEXT_IDENTIFYING.get(name, ()):
                continue
            assert isinstance(column.type, SecretText), f"{name}.{column.name} is not encrypted"
