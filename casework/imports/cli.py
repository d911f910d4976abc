"""``flask --app casework import cases FILE ...``: import legacy spreadsheets.

Exit codes: 0 when the import was written (or a dry run found no rejected row), 1 when rows
were rejected (nothing written), 2 when the input cannot be used at all.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from casework.accounts.services import get_by_email
from casework.core.db import db
from casework.core.errors import PermissionDenied
from casework.core.i18n import gettext as _
from casework.imports.reading import UnusableInput, read_table
from casework.imports.services import ImportOptions, ImportReport, import_cases, known_headers

import_cli = AppGroup("import", help="Import data from other systems.")

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_UNUSABLE)


def load_mapping(text: str) -> dict[str, str | None]:
    """A column mapping: a JSON object {"header in file": "canonical column" or null}."""
    try:
        mapping = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise UnusableInput(_("The column mapping is not valid JSON.")) from exc
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in mapping.items()
    ):
        raise UnusableInput(_('The column mapping must be an object {"header": "column"}.'))
    return mapping


def _summary(report: ImportReport) -> None:
    click.echo(f"Rows read: {report.rows_read}")
    for p in report.rejected:
        click.echo(f"  rejected row {p.row}, {p.column or '-'}: {p.message}")
    for w in report.warnings:
        where = f"row {w.row}, {w.column}" if w.column else f"row {w.row}"
        click.echo(f"  warning {where}: {w.message}")
    for d in report.possible_duplicates:
        people = ", ".join(f"{x['person']} ({x['score']:.0f})" for x in d["people"])
        rows = ", ".join(str(r) for r in d["rows"])
        click.echo(
            f"  row {d['row']} may be a person already recorded: {people or '-'}; rows: {rows or '-'}"
        )
    verb = "Written" if report.written else "Would create" if not report.rejected else "Created"
    click.echo(
        f"{verb}: {report.created['cases']} cases, {report.created['people']} people"
        + ("" if report.written or not report.rejected else " (nothing written)")
    )


@import_cli.command("cases")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--encoding",
    default=None,
    help="utf-8, utf-8-sig, utf-16, cp1251, kz1048, koi8_r, cp866, mac_cyrillic or cp1252 (detected "
    "if unset).",
)
@click.option("--delimiter", default=None, help="',' ';' 'tab' or '|' (detected if unset).")
@click.option("--sheet", default=None, help="XLSX sheet name (the first sheet shown if unset).")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--valid-only", is_flag=True, help="Write the good rows even if some are rejected.")
@click.option("--as", "as_email", metavar="EMAIL", help="The coordinator account importing.")
@click.option("--report-json", type=click.Path(dir_okay=False, path_type=Path), default=None)
def import_cases_command(
    file: Path,
    mapping_file: Path | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    dry_run: bool,
    valid_only: bool,
    as_email: str | None,
    report_json: Path | None,
) -> None:
    """Import cases from a CSV or XLSX FILE (one row = one person in one case)."""
    if not as_email:
        _fail("say which coordinator account imports: --as EMAIL.")
    actor = get_by_email(as_email)
    if actor is None or not actor.is_active:
        _fail("no active account with that e-mail address.")
    try:
        data = file.read_bytes()
    except OSError:
        _fail("the file cannot be read.")
    try:
        mapping = load_mapping(mapping_file.read_text("utf-8")) if mapping_file else {}
        table = read_table(
            data,
            file.name,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            known=known_headers(mapping),
        )
        options = ImportOptions(mapping=mapping, dry_run=dry_run, valid_only=valid_only)
        with click.progressbar(length=len(table.rows), label=_("Checking"), file=sys.stderr) as bar:
            report = import_cases(actor, table, options, progress=bar.update)
    except (UnusableInput, OSError) as exc:
        db.session.rollback()
        _fail(str(exc))
    except PermissionDenied as exc:
        db.session.rollback()
        _fail(str(exc))
    if report.written:
        db.session.commit()
    else:
        db.session.rollback()
    _summary(report)
    if report_json is not None:
        report_json.write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    sys.exit(EXIT_OK if report.written or not report.rejected else EXIT_REJECTED)
