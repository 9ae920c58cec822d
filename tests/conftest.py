import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


@pytest.fixture
def corpora() -> Path:
    """The real-file corpora beside the project; the test skips where they are absent."""
    if not CORPORA.is_dir():
        pytest.skip(f"real-file corpora not present at {CORPORA}")
    return CORPORA


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the session (tests/pgserver.py); skips, saying why, where none can start."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[test]')")
    from pgserver import Server

    try:
        server = Server()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"no PostgreSQL server can start here: {exc}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def index_target(request, tmp_path) -> str:
    """Where a test's reference index lives: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "index.db")
    return request.getfixturevalue("pg_server").database()
