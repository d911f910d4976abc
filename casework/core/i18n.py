"""Languages: which one a request is served in, and the words that do not depend on it.

The interface speaks English and Russian (catalogues in ``casework/translations``). A request's
language is, in order: the signed-in user's setting, the ``lang`` cookie (chosen on the login
page, before anyone is known; it holds a language code and nothing else), the browser's
Accept-Language, English. Documents meant for UN bodies are written in English whatever the
interface language (see ``english``), and so is every answer of the JSON API (``API_PREFIX``): its
envelope, its request validation and its document are English, so the messages of the services
it passes on are too, whoever holds the token and whatever the client's Accept-Language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from babel import Locale
from babel import dates as babel_dates
from babel.support import NullTranslations
from flask import Flask, g, has_request_context, request
from flask.globals import _cv_app
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_babel import format_decimal as _format_decimal
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from casework.paths import PACKAGE_DIR

# Code → the language's own name (what a speaker looks for in a list).
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "lang"
# The JSON API's paths: answered in English (its reference page, /api-reference, is a page).
API_PREFIX = "/api/"
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"

babel = Babel()


def N_(message: str) -> str:  # noqa: N802  (gettext's name for a marker that translates nothing)
    """Mark ``message`` for the catalogue without translating it here (labels defined at import
    time, translated where they are shown)."""
    return message


def known_language(code: str | None) -> str | None:
    """``code`` if the interface speaks it, else None (never raises on odd input)."""
    if not code:
        return None
    code = code.strip().lower()[:8]
    return code if code in LANGUAGES else None


def select_language() -> str:
    """The request's language: English for the API; else user setting → cookie →
    Accept-Language → English."""
    if not has_request_context():
        return DEFAULT_LANGUAGE  # a command or a job: English
    if request.path.startswith(API_PREFIX):
        return DEFAULT_LANGUAGE  # one language for integrators, as the API's document is
    # With the database out of reach (the 503 page) the user is not loaded: their row is gone
    # with the session, so the cookie and the browser decide.
    if (
        not g.get("database_unavailable")
        and current_user
        and getattr(current_user, "is_authenticated", False)
    ):
        chosen = known_language(getattr(current_user, "language", None))
        if chosen:
            return chosen
    chosen = known_language(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=select_language)
    # Templates ask for a few hundred strings per page: each goes through the catalogue
    # remembered for the request's locale instead of Flask-Babel's lookup (several context
    # proxies and a locale-to-string conversion per string).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # ``_`` and ``gettext``, the most called functions of a page, in one call each: Jinja's
    # alias looks ``gettext`` up and calls it, which calls the catalogue, all through the
    # template context, and formats every string even without a placeholder.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _template_gettext

    # A message stored in English (a job's progress, marked with N_) in the reader's language;
    # unknown text (a count in it) stays as it is.
    app.jinja_env.filters["translate"] = translate

    @app.context_processor
    def language_globals():
        return {"current_language": _language(), "languages": LANGUAGES}


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    """Jinja's new-style ``gettext`` (``_``): the string in the request's language, Markup
    where the template escapes (placeholders filled escaped), ``%%`` read as ``%``."""
    if not variables:
        memo = _catalogue()
        if memo is not None:
            shown = memo[4] if eval_ctx.autoescape else memo[3]
            text = shown.get(string)
            if text is None:
                text = current_translations().ugettext(string)
                text = shown[string] = _template_text(eval_ctx, text, {})
            return text
    return _template_text(eval_ctx, current_translations().ugettext(string), variables)


def _template_text(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704  # nosec B704 (our catalogue, as Jinja's own gettext)
    # Without a placeholder or a ``%%`` formatting gives the string back as it is.
    return text % variables if variables or "%" in text else text


def _babel_state() -> Any:
    """Flask-Babel's state for the current context (its locale), or None."""
    # The application context straight from its context variable: ``g`` is a proxy, and this
    # runs for every string a page shows.
    ctx = _cv_app.get(None)
    return ctx.g.__dict__.get("_flask_babel") if ctx is not None else None


def current_locale() -> Locale | None:
    """The locale of the request (or of a ``force_locale`` block), None outside a context."""
    locale = getattr(_babel_state(), "babel_locale", None)
    return locale if locale is not None else get_locale()


def _catalogue() -> (
    tuple[Locale, NullTranslations, dict[str, str], dict[str, str], dict[str, str]] | None
):
    """The context's locale, its catalogue and the messages already translated from it: for
    code, for templates, for templates that escape (Markup). A page shows the same words and
    labels row after row. None until the locale is chosen, and outside a context."""
    ctx = _cv_app.get(None)
    state = ctx.g.__dict__.get("_flask_babel") if ctx is not None else None
    if state is None:
        return None
    found = state.__dict__
    locale = found.get("babel_locale")
    memo = found.get("casework_catalogue")
    if locale is not None and memo is not None and memo[0] is locale:
        return memo
    return None


def current_translations() -> NullTranslations:
    """The catalogue for the current locale, remembered with the locale it was found for: a
    ``force_locale`` block sets another locale object, so it is looked up again there."""
    memo = _catalogue()
    if memo is not None:
        return memo[1]
    translations = get_translations()
    state = _babel_state()
    if state is not None:
        locale = getattr(state, "babel_locale", None)
        state.casework_catalogue = (locale, translations, {}, {}, {})
    return translations


def word(message: str) -> str:
    """``message`` (no placeholder) in the current language, looked up once per request."""
    memo = _catalogue()
    if memo is None:
        return current_translations().ugettext(message)
    text = memo[2].get(message)
    if text is None:
        text = memo[2][message] = current_translations().ugettext(message)
    return text


def gettext(string: str, **variables: Any) -> str:
    """``string`` in the current language, ``%(name)s`` placeholders filled from ``variables``
    (Flask-Babel's ``gettext``, through the remembered catalogue)."""
    if not variables:
        return word(string)
    return current_translations().ugettext(string) % variables


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """``singular`` or ``plural`` as the current language counts ``num`` (Russian has three
    forms), ``%(num)s`` and the other placeholders filled."""
    text = current_translations().ungettext(singular, plural, num)
    return text % {"num": num, **variables}


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """``gettext`` deferred until the string is used (labels defined at import time)."""
    return LazyString(gettext, string, **variables)


@contextmanager
def english() -> Iterator[None]:
    """Render in English inside the block (documents for UN bodies), whatever the user reads."""
    with force_locale(DEFAULT_LANGUAGE):
        yield


@contextmanager
def in_language(code: str | None) -> Iterator[None]:
    """Render in ``code`` inside the block (a notice or a mail for someone who chose it; English
    when they chose none the interface speaks)."""
    with force_locale(known_language(code) or DEFAULT_LANGUAGE):
        yield


def translate(message: str, values: dict[str, Any] | None = None) -> str:
    """``message`` (an English msgid marked elsewhere with ``N_``) in the request's language,
    its ``%(name)s`` placeholders filled from ``values`` (a stored message and its values)."""
    if not message:
        return message
    return gettext(message, **values) if values else gettext(message)


# Date patterns per language. English keeps ISO 8601 (unambiguous between the many date orders
# of international work); Russian writes 12.06.2011, as Russian documents do.
_DAY = {"en": "yyyy-MM-dd", "ru": "dd.MM.yyyy"}
_MONTH = {"en": "yyyy-MM", "ru": "MM.yyyy"}
_TIME = "HH:mm"


def current_language() -> str:
    """The language this request is served in ("en" outside a request)."""
    return _language()


def _language() -> str:
    return _reader()[0]


def _reader() -> tuple[str, str | None]:
    """(language, locale identifier) of the current locale, worked out once for each locale
    object (a ``force_locale`` block sets its own): a list writes dates and countries on every
    row, and naming a locale costs a dozen calls."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        remembered = state.__dict__.get("casework_reader")
        if remembered is not None and remembered[0] is locale:
            return remembered[1]
    else:
        locale = current_locale()
        state = _babel_state()
    if locale is None:
        return "en", None
    reader = (locale.language if locale.language in LANGUAGES else "en", str(locale))
    if state is not None and getattr(state, "babel_locale", None) is locale:
        state.casework_reader = (locale, reader)
    return reader


# A stored text: a required one (a title) or an optional one (a summary).
_Text = TypeVar("_Text", str, str | None)


def local_text(english: _Text, russian: str | None) -> _Text | str:
    """A stored text in the reader's language: its Russian version on a Russian page when it has
    one, else the English (every English page, and documents rendered in ``english()``)."""
    return russian if russian and _language() == "ru" else english


@lru_cache(maxsize=4096)
def _written(day: date, pattern: str, locale: str | None) -> str:
    """``day`` in a Babel ``pattern`` for ``locale`` (an identifier, "ru"). Remembered: a page
    writes the same few days on many rows (each comment's, action's and change's day), and the
    same day, pattern and locale always give the same text."""
    return babel_dates.format_date(day, pattern, locale=locale)


def _locale_id() -> str | None:
    return _reader()[1]


def format_day(value: date | datetime | None) -> str:
    """A date, or the date of a moment, in the reader's convention; '—' for none."""
    if value is None:
        return "—"
    day = value.date() if isinstance(value, datetime) else value
    language, locale = _reader()
    return _written(day, _DAY[language], locale)


def format_moment(value: datetime | None) -> str:
    """A moment (stored in UTC) as date and time in the reader's convention; '—' for none."""
    if value is None:
        return "—"
    return f"{format_day(value)} {value.strftime('%H:%M')}"


def format_partial_date(value: Any, approximate: bool = False, note: str | None = None) -> str:
    """A date known to the year, the month or the day (``PartialDate`` or ``date``), with the
    note on it when there is one."""
    if value is None:
        return gettext(N_("unknown (%(note)s)"), note=note) if note else gettext(N_("unknown"))
    if isinstance(value, date):
        text = format_day(value)
    elif value.day is not None:
        text = format_day(date(value.year, value.month, value.day))
    elif value.month is not None:
        language, locale = _reader()
        text = _written(date(value.year, value.month, 1), _MONTH[language], locale)
    else:
        text = f"{value.year:04d}"
    if approximate:
        text = gettext(N_("c. %(date)s"), date=text)
    # The words the date was given in say more than its precision can ("лето 2011").
    return gettext(N_("%(date)s (%(note)s)"), date=text, note=note) if note else text


def format_number(value: Any) -> str:
    """A number with the reader's digit grouping and decimal sign."""
    if value is None:
        return "—"
    return _format_decimal(value)
