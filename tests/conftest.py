import os
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
