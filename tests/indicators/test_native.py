"""The compiled indicator code (fraudhub/indicators/native.py): used only while it matches its
sources, and answering exactly as the plain Python code does.

The rest of the suite runs on whichever code the process loaded (`make test` builds first, so
the compiled one); `make test` also runs the indicator tests once more on the plain code.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fraudhub.indicators import native
from tests.indicators.extraction_corpus import CORPUS
from tests.indicators.test_canonical_round_trip import _PIECES

# Prints, for every input read from stdin, what reading it for a lookup, canonicalizing it and
# extracting from it give, and which files the modules were loaded from.
_ANSWERS = """
import importlib, json, sys
import django
django.setup()
from fraudhub.indicators import native
from fraudhub.indicators.extract import extract
from fraudhub.indicators.lookup import read_query
from fraudhub.indicators.types import InvalidIndicator, canonicalize

def canonical(raw):
    try:
        return list(canonicalize(raw))
    except InvalidIndicator as refusal:
        return [type(refusal).__name__, str(refusal)]

answers = []
for raw in json.load(sys.stdin):
    query = read_query(raw, None)
    found = extract(raw)
    answers.append({
        "query": [query.type, query.value, query.error, query.error_field, query.refused,
                  query.site, query.site_root],
        "canonical": canonical(raw),
        "found": [[f.type, f.value, f.raw, f.start, f.end] for f in found],
    })
files = {name: importlib.import_module(name).__file__ for name in native.COMPILED_MODULES}
print(json.dumps({"status": native.install().state, "files": files, "answers": answers}))
"""


def _inputs() -> list[str]:
    rng = random.Random(20261207)
    pieced = ["".join(rng.choices(_PIECES, k=rng.randrange(1, 24))) for _ in range(3000)]
    return [snippet.text for snippet in CORPUS] + pieced + [
        "0912 345 678", "+84 91 234 5678", "STK 0071000123456 Vietcombank", "970436:0071000123456",
        "hxxps://x[.]top/login", "HTTPS://EXAMPLE.COM:443/a", "m.facebook.com/profile.php?id=1",
        "http://example.com:\u00b2/", "http://example.com:\u0663\u0664/", "", " ", "\x00",
    ]


@dataclass
class Run:
    status: str
    files: dict[str, str]  # module -> the file it was loaded from
    answers: list[dict[str, Any]]
    stderr: str

    def loaded_from_sources(self) -> bool:
        return all(path.endswith(".py") for path in self.files.values())


def _answers(environment: dict[str, str], inputs: list[str], tmp_path: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRAUDHUB_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "fraudhub.settings",
                "FRAUDHUB_DATA_DIR": str(tmp_path / "var"), **environment})
    done = subprocess.run([sys.executable, "-c", _ANSWERS], input=json.dumps(inputs), env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = json.loads(done.stdout)
    return Run(printed["status"], printed["files"], printed["answers"], done.stderr)


@pytest.fixture(scope="module")
def built() -> Path:
    """The build of this checkout (made now when it is missing or out of date)."""
    status = native.build_status(native.native_dir())
    if status.state != "in use":
        status = native.build()
    assert status.state == "in use", status.describe()
    return status.directory


def test_the_compiled_code_answers_exactly_as_the_plain_code(built: Path, tmp_path: Path
                                                             ) -> None:
    inputs = _inputs()
    plain = _answers({"FRAUDHUB_NATIVE": "0"}, inputs, tmp_path)
    compiled = _answers({"FRAUDHUB_NATIVE_DIR": str(built)}, inputs, tmp_path)

    assert plain.status == "off"
    assert plain.loaded_from_sources()
    assert compiled.status == "in use"
    assert all(path.startswith(str(built)) and not path.endswith(".py")
               for path in compiled.files.values())
    assert len(compiled.answers) == len(inputs)
    assert compiled.answers == plain.answers
    assert sum(1 for answer in plain.answers if answer["found"]) > 150


def _copy_of(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "native"
    shutil.copytree(built, copy)
    return copy


def test_a_build_older_than_one_of_its_sources_is_not_used(built: Path, tmp_path: Path) -> None:
    copy = _copy_of(built, tmp_path)
    manifest = json.loads((copy / native.MANIFEST).read_text())
    manifest["sources"]["fraudhub.indicators.lookup"] = "0" * 64  # lookup.py edited since
    (copy / native.MANIFEST).write_text(json.dumps(manifest))

    run = _answers({"FRAUDHUB_NATIVE_DIR": str(copy)}, ["0912 345 678"], tmp_path)

    assert run.status == "out of date"
    # None of the build: compiled modules call each other directly, past any source.
    assert run.loaded_from_sources()
    assert "lookup.py changed since the build" in run.stderr
    assert "make native" in run.stderr
    assert run.answers[0]["query"][:2] == ["phone", "+84912345678"]


def test_a_build_missing_a_file_or_made_for_another_python_is_not_used(built: Path,
                                                                      tmp_path: Path) -> None:
    copy = _copy_of(built, tmp_path)
    manifest = json.loads((copy / native.MANIFEST).read_text())
    (copy / manifest["files"]["fraudhub.indicators.types.phone"]).unlink()
    assert native.build_status(copy).state == "out of date"
    assert "is missing" in native.build_status(copy).detail

    shutil.rmtree(copy)
    copy = _copy_of(built, tmp_path)
    manifest["python"] = ".cpython-312-x86_64-linux-gnu.so"
    (copy / native.MANIFEST).write_text(json.dumps(manifest))
    assert native.build_status(copy).state == "out of date"
    assert "built for .cpython-312" in native.build_status(copy).detail


def test_without_a_build_the_plain_code_runs_quietly(tmp_path: Path) -> None:
    run = _answers({"FRAUDHUB_NATIVE_DIR": str(tmp_path / "none")}, ["0912 345 678"], tmp_path)

    assert run.status == "not built"
    assert run.loaded_from_sources()
    assert "RuntimeWarning" not in run.stderr
    assert run.answers[0]["query"][:2] == ["phone", "+84912345678"]
