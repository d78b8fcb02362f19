"""Languages: which one a person reads, and the catalogues that translate the interface.

English is the source language; Indonesian (id), Filipino (fil) and Greek (el) have
complete catalogues in locale/ (Django ships no Filipino locale: its language info is
added in settings, its formats are in salesmgmt/formats/fil/). A page is in:

1. the signed-in person's own choice (``User.language``, set on the profile, through
   the API's ``me`` or with the switcher in the top bar);
2. else the language picked with the switcher before signing in (the language cookie);
3. else the browser's ``Accept-Language``;
4. else the company's default (``CompanySettings.default_language``), else English.

What is sent to someone who is not looking (e-mails, notifications) is written in the
*recipient's* language (``language_of``), never the sender's: callers hand notify()
lazy texts, and notify() renders them inside ``translation.override``.
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.utils import formats, translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation.trans_real import parse_accept_lang_header

# Browsers and phones name Filipino "tl" (Tagalog) as often as "fil".
ALIASES = {"tl": "fil"}


def supported(code: str | None) -> str | None:
    """The supported language for ``code`` ("el-GR" -> "el", "tl" -> "fil"), or None."""
    if not code:
        return None
    code = code.lower()
    code = ALIASES.get(code.split("-")[0], code) if code.split("-")[0] in ALIASES else code
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def company_default() -> str:
    # Imported here: models import this module's neighbours, not the reverse at load time.
    from salesmgmt.models import CompanySettings  # noqa: PLC0415

    try:
        chosen = CompanySettings.load().default_language
    except DatabaseError:  # /healthz still answers, in English, with the database away
        chosen = None
    return supported(chosen) or settings.LANGUAGE_CODE


def language_of(user) -> str:
    """The language to write to ``user`` in: their own choice, else the company's."""
    return supported(getattr(user, "language", None)) or company_default()


def language_for_request(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        chosen = supported(user.language)
        if chosen:
            return chosen
    chosen = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        chosen = supported(code)
        if chosen:
            return chosen
    return company_default()


def _date(value, format_name: str) -> str:
    return formats.date_format(value, format_name) if value else ""


# A date formatted when the text it is in is rendered, in the language active then:
# notify() renders a notification's text in the recipient's language, so a date built
# into it must wait until then too. ``format_name`` is one of the named formats in
# salesmgmt/formats/<lang>/formats.py ("DATE_MEDIUM", "WEEKDAY_DATETIME", ...).
lazy_date = lazy(_date, str)


def catalogue_files(locale_dir: Path | None = None) -> list[Path]:
    """Every .po file of the project's catalogues."""
    root = Path(locale_dir or settings.LOCALE_PATHS[0])
    return sorted(root.glob("*/LC_MESSAGES/*.po"))


def compile_catalogues(locale_dir: Path | None = None) -> list[Path]:
    """Compile each .po whose .mo is missing or older; returns the ones compiled.

    polib, not msgfmt: `make run` and the test suite work without GNU gettext
    installed (CI checks the catalogues with msgfmt as well)."""
    import polib  # noqa: PLC0415 - only this build step and the checks need it

    compiled = []
    for po_path in catalogue_files(locale_dir):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled.append(po_path)
    return compiled


def translated_name(name: str) -> str:
    """A seeded catalogue name (a metric, channel, stage, lost reason or focus area) in
    the reader's language. The stored name and key stay as they are; a name an admin
    typed that the catalogue does not know reads as typed. The seeded names are listed
    for makemessages next to each catalogue (``catalogue_names.py``)."""
    return gettext(name) if name else name


@functools.cache
def javascript_catalogue_version() -> str:
    """A short fingerprint of the JavaScript catalogues: part of the catalogue's URL, so a
    browser keeps it for a day yet fetches it again after a deploy changed a string."""
    digest = hashlib.sha256()
    for path in catalogue_files():
        if path.name == "djangojs.po":
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]
