"""How the app's database connections are set up."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
def test_the_apps_postgresql_connections_do_not_jit_compile_queries():
    # Compiling cost most of a dashboard's time at 2,000 reps (see settings.DATABASES).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
