"""The claim index behind `theorylab list`: the same rows as the registry, read back without importing papers."""
import json

import pytest

from theorylab import InputError
from theorylab.engine import discovery, index


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("THEORYLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("THEORYLAB_CACHE", raising=False)
    return tmp_path


def _registry_rows(pattern):
    return [{"id": c.id, "paper": c.paper, "kind": c.kind, "status": c.status, "statement": c.statement}
            for c in discovery.select(pattern)]


def test_index_equals_registry_and_is_read_back_without_imports(cache, monkeypatch):
    first = index.claim_rows("*")
    assert first == _registry_rows("*") and len(first) > 50
    assert (cache / "claim-index.json").is_file()

    def forbidden():
        raise AssertionError("the index was valid: the verification modules must not be consulted")

    monkeypatch.setattr(discovery, "all_claims", forbidden)
    assert index.claim_rows("*") == first
    assert index.claim_rows(["bartlett2006", "mao2023/*"]) == [r for r in first if r["id"].startswith(
        ("bartlett2006/", "mao2023/"))]
    with pytest.raises(InputError, match="matches no claim"):
        index.claim_rows("no-such-claim")


def test_stale_or_corrupt_index_is_rebuilt(cache):
    rows = index.claim_rows("*")
    path = cache / "claim-index.json"
    data = json.loads(path.read_text())
    data["key"] = "0" * 64
    data["claims"] = data["claims"][:1]
    path.write_text(json.dumps(data))
    assert index.claim_rows("*") == rows  # the key no longer matches: rebuilt from the registry
    path.write_text("{ not json")
    assert index.claim_rows("*") == rows
    assert json.loads(path.read_text())["claims"] == rows


def test_disk_cache_off_still_lists(monkeypatch, tmp_path):
    monkeypatch.setenv("THEORYLAB_CACHE", "0")
    monkeypatch.setenv("THEORYLAB_CACHE_DIR", str(tmp_path))
    assert index.claim_rows("zhu2023") == _registry_rows("zhu2023")
    assert list(tmp_path.iterdir()) == []
