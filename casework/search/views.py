"""The search page: POST only, so that search terms never reach a URL, a log or the history."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template
from flask_login import current_user

from casework import permissions
from casework.audit import services as audit
from casework.core.cli import register_seeder
from casework.core.db import db
from casework.search import (
    index,  # (also the flush listeners that keep the index)
    services,
)
from casework.search.cli import search_cli
from casework.search.forms import SearchForm

bp = Blueprint("search", __name__)


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)
    register_seeder("search index", index.refresh_index)


@bp.route("/search", methods=["GET", "POST"])
def search_page():
    if not permissions.can_search(current_user):
        abort(403)
    form = SearchForm()
    if not form.validate_on_submit():
        return render_template("search/search.html", form=form, results=None)
    results = services.search(current_user, form.q.data)
    # Rendered before the audit entry is committed: the commit would expire every case found.
    page = render_template(
        "search/search.html", form=form, results=results, max_cases=services.MAX_CASES
    )
    # Who searched and how much they found; never what they typed.
    audit.record(
        current_user,
        "search.run",
        object_type="search",
        cases=len(results.cases),
        catalogue=len(results.provisions) + len(results.instruments) + len(results.recommendations),
    )
    db.session.commit()
    return page
