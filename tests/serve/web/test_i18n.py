"""Languages: every text the pages and their code mark for translation has a Russian
translation (with the same placeholders), the template catalogue is current, and the
language follows the user's choice, then the browser's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from riskprofile.serve.web import _i18n
from tests.serve.web.conftest import Workbench, csrf_of

WEB = Path(_i18n.__file__).parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _used() -> dict[str, str]:
    """msgid -> where it is used, extracted from the code and templates as they are now."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(WEB), METHODS, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _catalogue(language: str) -> dict[str, object]:
    path = WEB / "locale" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string
        for m in catalog
        if m.id and not m.fuzzy
    }


def test_the_texts_are_found() -> None:
    used = _used()
    assert "Sign in" in used
    assert "supervisor" in used  # a role, marked with N_ where roles are defined
    assert len(used) > 80


@pytest.mark.parametrize("language", [lang for lang in _i18n.catalogue_languages() if lang != "en"])
def test_every_text_has_a_translation(language: str) -> None:
    catalogue = _catalogue(language)
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in sorted(_used().items())
        if not catalogue.get(msgid)
        or (isinstance(catalogue[msgid], tuple) and not all(catalogue[msgid]))
    ]  # type: ignore[arg-type]
    assert not missing, f"{len(missing)} texts without a {language} translation:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("language", [lang for lang in _i18n.catalogue_languages() if lang != "en"])
def test_translations_keep_the_placeholders(language: str) -> None:
    for msgid, translated in _catalogue(language).items():
        forms = translated if isinstance(translated, tuple) else (translated,)
        for form in forms:
            if form:
                assert set(_PLACEHOLDER.findall(str(form))) == set(_PLACEHOLDER.findall(msgid)), (
                    msgid
                )


def test_the_template_catalogue_is_current() -> None:
    with (WEB / "locale" / "messages.pot").open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert template == set(_used()), "run pybabel extract (docs/serve.md, Languages)"


_SINGULAR = "Too many failed sign-ins: try again in %(n)d minute."
_PLURAL = "Too many failed sign-ins: try again in %(n)d minutes."


def test_russian_plural_forms_follow_the_number() -> None:
    with _i18n.using_language("ru"):
        forms = [_i18n.ngettext(_SINGULAR, _PLURAL, n) for n in (1, 3, 15, 21)]
    assert [f.rsplit(" ", 1)[1] for f in forms] == ["минуту.", "минуты.", "минут.", "минуту."]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("de,fr;q=0.5", "en"),
        ("en;q=0.2,ru;q=0.9", "ru"),
        ("", "en"),
        ("ru;q=0", "en"),
        ("x" * 5000, "en"),
        ("ru;q=abc", "en"),
    ],
)
def test_the_browsers_language_is_negotiated(header: str, expected: str) -> None:
    assert _i18n.negotiate(header) == expected


def test_a_page_is_shown_in_the_browsers_language(workbench: Workbench) -> None:
    page = workbench.client().get("/login", headers={"Accept-Language": "ru"})
    assert page.headers["content-language"] == "ru"
    assert "Войти" in page.text
    assert '<html lang="ru">' in page.text


def test_the_users_choice_wins_over_the_browser(workbench: Workbench) -> None:
    client = workbench.client("ana")
    client.post("/account/language", data={"language": "ru", "csrf_token": csrf_of(client)})
    page = client.get("/", headers={"Accept-Language": "en"})
    assert "Обзор" in page.text
    client.post("/account/language", data={"language": "", "csrf_token": csrf_of(client)})
    assert "Dashboard" in client.get("/", headers={"Accept-Language": "en"}).text


def test_a_refusal_is_in_the_users_language(workbench: Workbench) -> None:
    client = workbench.client("otto")
    page = client.get("/audit", headers={"Accept-Language": "ru"})
    assert page.status_code == 403
    assert "Вашей роли это не разрешено." in page.text
