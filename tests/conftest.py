import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
sys.path.insert(0, str(ROOT / "bench"))  # bench/synthetic.py: `from synthetic import write_corpus`


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def corpus():
    """The embedded corpus, built once per test session."""
    import fazhi_lib as fz

    return fz.build_corpus(RAW)


@pytest.fixture(scope="session")
def processed_dir(corpus, tmp_path_factory) -> Path:
    """The embedded corpus saved as tables, for notebook and load tests."""
    out = tmp_path_factory.mktemp("processed") / "processed"
    corpus.save(out)
    return out
