"""Languages: the pages' text in gettext catalogues, read at start with Babel.

The catalogues are ``locale/<language>/LC_MESSAGES/messages.po`` beside this module
(``locale/messages.pot`` is the template a translator starts from: docs/serve.md). They
are read as text when the application starts (Babel's ``read_po``), so no compiled
``.mo`` file is built or committed; a fuzzy or empty translation is not used (the English
text shows instead). A request's language is the user's own choice, else the browser's
``Accept-Language``, else English (:func:`negotiate`).

Code marks a text with :func:`_` (translated in the request's language) or :func:`N_`
(marked only: translated where it is shown); templates with ``{{ _("...") }}`` or
``{% trans %}``.
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = [
    "DEFAULT_LANGUAGE",
    "LOCALE_DIR",
    "N_",
    "_",
    "catalogue_languages",
    "current_language",
    "language_name",
    "negotiate",
    "ngettext",
    "translations",
    "using_language",
]

LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT_LANGUAGE = "en"
_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "riskprofile_web_language", default=DEFAULT_LANGUAGE
)


def catalogue_languages() -> tuple[str, ...]:
    """The languages pages can be shown in: English and every catalogue under
    :data:`LOCALE_DIR`."""
    found = sorted(
        p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po") if p.is_file()
    )
    return (DEFAULT_LANGUAGE, *[f for f in found if f != DEFAULT_LANGUAGE])


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of ``language`` (English: the texts as written)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # in memory: nothing generated on disk
    compiled.seek(0)
    return Translations(fp=compiled)


def language_name(language: str) -> str:
    """A language's own name for itself (``ru`` -> ``русский``)."""
    try:
        return Locale.parse(language).get_display_name(language) or language
    except (UnknownLocaleError, ValueError):
        return language


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The language to show: ``chosen`` (the user's) when there is a catalogue for it,
    else the first of the browser's ``Accept-Language`` that has one, else English.

        >>> negotiate("ru-RU,ru;q=0.9,en;q=0.8")
        'ru'
        >>> negotiate("de, fr;q=0.5")
        'en'
    """
    available = catalogue_languages()
    if chosen in available:
        return chosen
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "")[:500].split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality, index, tag.strip().lower()))
    for _quality, _index, tag in sorted(wanted):
        base = tag.replace("_", "-").split("-")[0]
        if base in available:
            return base
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of the request being served."""
    return _language.get()


@contextmanager
def using_language(language: str) -> Iterator[None]:
    """Translate in ``language`` inside the block."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str) -> str:
    """``message`` in the request's language."""
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form (by the language's own plural rule) for ``n``."""
    return translations(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for translation without translating it here."""
    return message
