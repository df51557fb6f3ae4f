"""The derivation cache (theorylab._cache): same answers from disk, keyed on arguments and source, never fatal."""
import os
import pickle

import pytest
import sympy as sp

from theorylab import _cache

CALLS = []


def _square_plus_one(x, k):
    CALLS.append((x, k))
    return sp.expand((x + k) ** 2 + 1)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("THEORYLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("THEORYLAB_CACHE", raising=False)
    CALLS.clear()
    return tmp_path


def _files(folder):
    return sorted((folder / "derivations").glob("*.pkl")) if (folder / "derivations").is_dir() else []


def test_second_process_reads_the_disk_entry(cache_dir):
    x = sp.Symbol("x", real=True)
    f = _cache.disk_cached(_square_plus_one)
    first = f(x, 2)
    assert first == x**2 + 4 * x + 5 and len(CALLS) == 1 and len(_files(cache_dir)) == 1
    g = _cache.disk_cached(_square_plus_one)  # a fresh memo: what another process would see
    again = g(x, 2)
    assert again == first and len(CALLS) == 1
    assert again.free_symbols == {x}  # assumptions survive the round trip (real=True)
    assert g(x, 3) == x**2 + 6 * x + 10 and len(CALLS) == 2 and len(_files(cache_dir)) == 2


def test_keys_separate_arguments_that_print_alike(cache_dir):
    f = _cache.disk_cached(_square_plus_one)
    x_real, x_plain = sp.Symbol("x", real=True), sp.Symbol("x")
    f(x_real, 1)
    f(x_plain, 1)
    f(x_real, 1.0)  # a float is not the int 1
    assert len(CALLS) == 3 and len(_files(cache_dir)) == 3


def test_corrupt_entry_is_recomputed_and_replaced(cache_dir):
    x = sp.Symbol("x")
    _cache.disk_cached(_square_plus_one)(x, 5)
    (path,) = _files(cache_dir)
    path.write_bytes(b"not a pickle")
    assert _cache.disk_cached(_square_plus_one)(x, 5) == x**2 + 10 * x + 26
    assert len(CALLS) == 2
    assert pickle.loads(path.read_bytes()) == x**2 + 10 * x + 26


def test_unwritable_folder_and_switch_off_still_answer(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("THEORYLAB_CACHE_DIR", str(blocker))
    CALLS.clear()
    x = sp.Symbol("x")
    assert _cache.disk_cached(_square_plus_one)(x, 0) == x**2 + 1
    monkeypatch.setenv("THEORYLAB_CACHE", "0")
    assert _cache.cache_dir() is None
    assert _cache.disk_cached(_square_plus_one)(x, 0) == x**2 + 1
    assert len(CALLS) == 2 and os.path.isfile(blocker)


def test_unkeyable_argument_is_computed_not_cached(cache_dir):
    f = _cache.disk_cached(lambda d: sorted(d))
    assert f(frozenset({2, 1})) == [1, 2]
    assert _files(cache_dir) == []


def test_tree_digest_changes_with_any_source_file(tmp_path):
    import hashlib

    def digest():
        h = hashlib.sha256()
        _cache.update_with_tree(h, tmp_path)
        return h.hexdigest()

    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "sub" / "b.py").write_text("y = 2\n")
    (tmp_path / "notes.txt").write_text("not a source")
    first = digest()
    (tmp_path / "notes.txt").write_text("changed, still not a source")
    assert digest() == first
    (tmp_path / "sub" / "b.py").write_text("y = 3\n")
    second = digest()
    assert second != first
    (tmp_path / "sub" / "b.py").rename(tmp_path / "b.py")  # same bytes, another path
    assert digest() not in (first, second)
