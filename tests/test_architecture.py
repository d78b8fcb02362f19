"""The layers hold: salesmgmt core < activities < plans < reporting < coaching < wiring.

import-linter checks the apps (the contracts in pyproject.toml, also run by `make lint`);
the core's own rule, "imports no app and no wiring", needs a list of the wiring modules,
so it is checked here on the same import graph. Imports inside functions count too.
"""

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("activities", "plans", "reporting", "coaching")
WIRING = (
    "salesmgmt.settings",
    "salesmgmt.urls",
    "salesmgmt.api_urls",
    "salesmgmt.celery",
    "salesmgmt.schedule",
    "salesmgmt.wsgi",
    "salesmgmt.demo",
    "salesmgmt.management.commands.seed_demo",
    "salesmgmt.management.commands.seed_scale",
    "salesmgmt.management.commands.run_jobs",
)


def _is_wiring(module: str) -> bool:
    return any(module == w or module.startswith(f"{w}.") for w in WIRING)


@pytest.fixture(scope="module")
def graph():
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph("salesmgmt", *APPS, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def test_import_linter_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_core_imports_no_app_and_no_wiring(graph):
    wrong = sorted(
        f"{importer} -> {imported}"
        for importer in graph.modules
        if importer.startswith("salesmgmt") and not _is_wiring(importer)
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.split(".")[0] in APPS
        or (_is_wiring(imported) and importer != "salesmgmt" and imported != "salesmgmt.celery")
    )
    assert wrong == []


def test_nothing_below_the_wiring_imports_it(graph):
    wrong = sorted(
        f"{importer} -> {imported}"
        for importer in graph.modules
        if not _is_wiring(importer) and importer != "salesmgmt"
        for imported in graph.find_modules_directly_imported_by(importer)
        if _is_wiring(imported)
    )
    assert wrong == []


def test_features_share_the_same_file_names():
    """Inside an app, a feature is a package of selectors, services, views, forms, api,
    serializers, filters, urls, ... : no file-name prefixes standing in for packages."""
    prefixed = sorted(
        str(path.relative_to(ROOT))
        for app in ("salesmgmt", *APPS)
        for path in (ROOT / app).glob("*.py")
        if "_" in path.stem
        and not _is_wiring(f"{app}.{path.stem}")
        and path.stem.split("_")[-1]
        in {"views", "api", "urls", "forms", "filters", "serializers", "services"}
    )
    assert prefixed == []
