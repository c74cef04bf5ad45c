"""The Vietnamese catalogue covers every translatable string of the code and templates.

Strings marked for translation but missing from the catalogue reach Vietnamese readers in
English without any error; this test finds them the way a translator would, with Django's
``makemessages`` run over a copy of the package (the committed catalogue is never touched).
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django import Settings

import fraudhub

PACKAGE = Path(fraudhub.__file__).resolve().parent
CATALOGUE = PACKAGE / "locale" / "vi" / "LC_MESSAGES"
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msgattrib", "msgfmt")
MISSING_TOOLS = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]

needs_gettext = pytest.mark.skipif(
    bool(MISSING_TOOLS),
    reason=f"GNU gettext tools not installed ({', '.join(MISSING_TOOLS)}; Debian package "
           "gettext, which .ci/run installs)")


def _entries(po_file: Path, *options: str) -> list[str]:
    """The msgids ``msgattrib`` selects with ``options``, one string each."""
    out = subprocess.run(["msgattrib", *options, "--no-wrap", "--no-location", str(po_file)],
                         check=True, capture_output=True, text=True).stdout
    return [line.removeprefix("msgid ") for line in out.splitlines()
            if line.startswith("msgid ") and line != 'msgid ""']


@needs_gettext
def test_every_marked_string_has_a_vietnamese_translation(
        tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "fraudhub"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=["vi"], no_obsolete=True, verbosity=0)

    merged = copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    assert _entries(merged, "--untranslated") == []
    assert _entries(merged, "--only-fuzzy") == []


@needs_gettext
def test_the_compiled_catalogue_is_the_committed_one(tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(CATALOGUE / "django.po")], check=True)

    with compiled.open("rb") as fresh, (CATALOGUE / "django.mo").open("rb") as shipped:
        assert gettext.GNUTranslations(shipped)._catalog == (  # type: ignore[attr-defined]
            gettext.GNUTranslations(fresh)._catalog)  # type: ignore[attr-defined]
