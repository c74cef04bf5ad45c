"""The indicator code compiled to C extensions (mypyc), used only while it matches its sources.

Bulk lookups and scans spend most of their time in plain Python: reading raw values, guessing
their type, normalizing and extracting them. mypyc compiles these typed modules as they are
(normalizing a value takes ~1.6 times less CPU). The build is kept outside the source tree, in the
virtualenv (``<sys.prefix>/fraudhub-native``, or ``FRAUDHUB_NATIVE_DIR``), with the SHA-256 of
every source it was made from:

- a compiled module calls the other compiled modules directly, so one edited module cannot be
  swapped back to its source alone: when any source differs from its build, none of the build
  is used, and a warning says how to rebuild (``make native``);
- ``FRAUDHUB_NATIVE=0`` runs the plain Python code (to debug it, or compare);
- where there is no build (a machine without a C compiler, an install outside the source
  checkout), the plain Python code runs: the results are the same, only slower.

This module may import nothing of the indicators app: it runs before the modules it serves.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

# Where the CPU goes in lookups and scans; all of them type-check under mypy, which mypyc needs.
COMPILED_MODULES: tuple[str, ...] = (
    "fraudhub.indicators.types.base",
    "fraudhub.indicators.types.phone_rules",
    "fraudhub.indicators.types.phone",
    "fraudhub.indicators.types.bank_account",
    "fraudhub.indicators.types.crypto_wallet",
    "fraudhub.indicators.types.domain",
    "fraudhub.indicators.types.email",
    "fraudhub.indicators.types.social_account",
    "fraudhub.indicators.types.url",
    "fraudhub.indicators.types.registry",
    "fraudhub.indicators.extract_numbers",
    "fraudhub.indicators.extract_reader",
    "fraudhub.indicators.extract",
    "fraudhub.indicators.scan",
    "fraudhub.indicators.lookup",
)
MANIFEST = "manifest.json"
_SRC = Path(__file__).resolve().parents[2]  # the directory that holds the fraudhub package


@dataclass(frozen=True)
class NativeStatus:
    """Whether the compiled modules are used, and why not when they are not."""

    state: str  # "in use", "off", "not built", "out of date"
    directory: Path
    detail: str = ""

    def describe(self) -> str:
        if self.state == "in use":
            return f"compiled indicator code in use ({self.directory})"
        if self.state == "off":
            return "compiled indicator code turned off (FRAUDHUB_NATIVE=0)"
        return (f"compiled indicator code {self.state}{': ' + self.detail if self.detail else ''}"
                "; running the plain Python code (build it: make native)")


def native_dir() -> Path:
    configured = os.environ.get("FRAUDHUB_NATIVE_DIR", "").strip()
    return Path(configured) if configured else Path(sys.prefix) / "fraudhub-native"


def _python() -> str:
    """The interpreter's extension suffix: its version, ABI and platform."""
    return str(sysconfig.get_config_var("EXT_SUFFIX"))


def source_path(module: str) -> Path:
    return _SRC.joinpath(*module.split(".")).with_suffix(".py")


def source_digest(module: str) -> str:
    return hashlib.sha256(source_path(module).read_bytes()).hexdigest()


def _read_manifest(directory: Path) -> dict[str, object] | None:
    try:
        manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def native_status() -> NativeStatus:
    """Whether this process may use the build in :func:`native_dir`."""
    directory = native_dir()
    if os.environ.get("FRAUDHUB_NATIVE", "1").strip().lower() in ("0", "false", "no", "off"):
        return NativeStatus("off", directory)
    return build_status(directory)


def build_status(directory: Path) -> NativeStatus:
    """Whether the build in ``directory`` matches this interpreter and these sources, whatever
    FRAUDHUB_NATIVE says."""
    manifest = _read_manifest(directory)
    if manifest is None:
        return NativeStatus("not built", directory)
    if manifest.get("python") != _python():
        return NativeStatus("out of date", directory,
                            f"built for {manifest.get('python')}, this is {_python()}")
    built = manifest.get("sources")
    files = manifest.get("files")
    if not isinstance(built, dict) or not isinstance(files, dict) \
            or set(built) != set(COMPILED_MODULES):
        return NativeStatus("out of date", directory, "built from another list of modules")
    for module in COMPILED_MODULES:
        try:
            digest = source_digest(module)
        except OSError:
            return NativeStatus("out of date", directory, f"{module} has no source here")
        if built[module] != digest:
            return NativeStatus("out of date", directory, f"{source_path(module).name} changed "
                                                          "since the build")
    missing = [name for name in files.values() if not (directory / str(name)).is_file()]
    if missing:
        return NativeStatus("out of date", directory, f"{missing[0]} is missing")
    return NativeStatus("in use", directory)


class _CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled extension of each module of the build, and its shared library."""

    def __init__(self, locations: dict[str, Path]) -> None:
        self.locations = locations

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        location = self.locations.get(fullname)
        if location is None:
            return None
        return importlib.util.spec_from_file_location(fullname, location)


_installed: NativeStatus | None = None


def install() -> NativeStatus:
    """Put the build in front of the sources when it matches them; once per process.

    Called by the indicators package before any of its modules is imported.
    """
    global _installed
    if _installed is not None:
        return _installed
    status = native_status()
    if status.state == "in use":
        manifest = _read_manifest(status.directory) or {}
        files = manifest.get("files")
        assert isinstance(files, dict)
        already = [name for name in files if name in sys.modules]
        if already:  # imported from source before the package was: keep them all as they are
            status = NativeStatus("out of date", status.directory,
                                  f"{already[0]} was imported before the build could be used")
        else:
            sys.meta_path.insert(0, _CompiledFinder(
                {str(name): status.directory / str(file) for name, file in files.items()}))
    if status.state == "out of date":
        warnings.warn(status.describe(), RuntimeWarning, stacklevel=2)
    _installed = status
    return status


# The build, run by `make native` (python scripts/native.py build).

_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify
setup(name="fraudhub-native", ext_modules=mypycify(sys.argv[4:], opt_level="3"),
      script_args=["build_ext", "--build-lib", sys.argv[1], "--build-temp", sys.argv[2]])
"""


def build(directory: Path | None = None) -> NativeStatus:
    """Compile :data:`COMPILED_MODULES` into ``directory``; the old build stays until the new one
    is complete. Needs the source checkout (mypy reads its configuration from pyproject.toml),
    mypy and a C compiler. Raises RuntimeError with the compiler's output when it fails."""
    directory = directory or native_dir()
    checkout = _SRC.parent
    if not (checkout / "pyproject.toml").is_file():
        raise RuntimeError(f"no source checkout at {checkout}: the build reads pyproject.toml")
    digests = {module: source_digest(module) for module in COMPILED_MODULES}
    directory.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fraudhub-native-", dir=directory.parent) as work:
        output, temp = Path(work) / "lib", Path(work) / "temp"
        # Run elsewhere than the checkout, whose pyproject.toml setuptools would read as this
        # build's project; mypy still reads its configuration (and django-stubs') from it.
        sources = [f"--config-file={checkout / 'pyproject.toml'}",
                   *(str(source_path(module)) for module in COMPILED_MODULES)]
        environment = {**os.environ, "MYPY_CACHE_DIR": str(Path(work) / "mypy-cache")}
        done = subprocess.run(  # noqa: S603 -- this interpreter, our own code and paths
            [sys.executable, "-c", _SETUP, str(output), str(temp), "--", *sources],
            cwd=work, env=environment, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError("the compiled indicator code could not be built:\n"
                               + (done.stdout + done.stderr)[-4000:])
        files = _built_files(output)
        (output / MANIFEST).write_text(json.dumps({
            "python": _python(), "sources": digests,
            "files": {name: str(path.relative_to(output)) for name, path in files.items()},
        }, indent=1), "utf-8")
        if directory.exists():
            shutil.rmtree(directory)
        output.rename(directory)
    return build_status(directory)


def _built_files(output: Path) -> dict[str, Path]:
    """Module name -> extension file: each compiled module and the library they share."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    files: dict[str, Path] = {}
    for path in output.rglob("*"):
        suffix = next((s for s in suffixes if path.name.endswith(s)), None)
        if suffix is None:
            continue
        parts = path.relative_to(output).parts
        files[".".join((*parts[:-1], path.name[: -len(suffix)]))] = path
    missing = set(COMPILED_MODULES) - set(files)
    if missing:
        raise RuntimeError(f"the build made no extension for {sorted(missing)}")
    return files


def main(argv: Sequence[str]) -> int:
    if list(argv) == ["build"]:
        status = build()
        print(status.describe())
        return 0 if status.state == "in use" else 1
    if list(argv) == ["status"]:
        print(native_status().describe())
        return 0
    print("usage: python scripts/native.py build|status", file=sys.stderr)
    return 2
