"""Production static files: every file we ship survives the manifest storage.

The manifest storage rewrites each url()/import/sourceMappingURL reference to its
hashed name and refuses a reference to a file that is not there; with DEBUG off a
server without a manifest answers 500 on every page. So this builds it as the
Dockerfile and the deployment steps do.
"""

import json

from django.core.management import call_command


def test_collectstatic_builds_the_manifest_with_production_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("css/app.css", "js/charts.js", "vendor/chart-4.6.1.umd.min.js", "favicon.svg"):
        assert (tmp_path / paths[name]).is_file(), name
    assert (tmp_path / (paths["css/app.css"] + ".gz")).is_file()  # compressed for whitenoise
