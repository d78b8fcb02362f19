"""The catalogues stay complete: every string of the English source is translated in
Indonesian, Filipino and Greek, nothing is fuzzy or left over, gettext itself accepts
the files, and makemessages would add nothing.

CI installs GNU gettext (.ci/run); without it the two checks that run msgfmt and
xgettext are skipped and say so.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LANGUAGES = ["id", "fil", "el"]
DOMAINS = ["django", "djangojs"]
REPO = Path(settings.BASE_DIR)
LOCALE = REPO / "locale"
NO_GETTEXT = "GNU gettext (msgfmt, xgettext) not installed; .ci/run installs it"


def catalogue(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def entries(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy_or_left_over(language, domain):
    po = polib.pofile(str(catalogue(language, domain)))

    assert po.metadata["Language"] == language
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    # Every plural form filled (Indonesian has one, Filipino and Greek two).
    forms = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(forms)), entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


def test_the_catalogues_hold_the_whole_interface():
    """Several hundred messages, the same ones in each language."""
    sources = {
        language: entries(polib.pofile(str(catalogue(language, "django"))))
        for language in LANGUAGES
    }

    assert len(sources["el"]) > 1000
    assert sources["id"] == sources["fil"] == sources["el"]


@pytest.mark.skipif(not shutil.which("msgfmt"), reason=NO_GETTEXT)
@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_each_catalogue_with_nothing_untranslated_or_fuzzy(language, domain):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue(language, domain))],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
    )

    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages?\.\n", result.stderr), result.stderr


@pytest.mark.skipif(not shutil.which("xgettext"), reason=NO_GETTEXT)
def test_makemessages_finds_no_string_missing_from_the_catalogues(tmp_path):
    """Run makemessages on a copy of the source: it must neither add a string (one
    marked but not translated) nor drop one (a catalogue entry no source uses)."""
    copy = tmp_path / "src"
    shutil.copytree(
        REPO,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "var", "staticfiles", "test-artifacts", "__pycache__", "*.mo"
        ),
    )
    for domain, extra in (("django", []), ("djangojs", ["-i", "static/vendor/*"])):
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain, "--add-location", "file"]
            + [arg for language in LANGUAGES for arg in ("-l", language)]
            + extra,
            cwd=copy,
            check=True,
            capture_output=True,
            env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "SALESMGMT_VAR_DIR": str(tmp_path)},
        )
        for language in LANGUAGES:
            ours = entries(polib.pofile(str(catalogue(language, domain))))
            fresh = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / f"{domain}.po"))
            found = {(e.msgctxt, e.msgid) for e in fresh if not e.obsolete}

            assert sorted(found - ours, key=str) == [], f"{language}/{domain}: not in the catalogue"
            assert sorted(ours - found, key=str) == [], f"{language}/{domain}: no longer used"
