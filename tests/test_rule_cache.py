"""The cache of parsed built-in rules (shapeinfer/rules/cache.py): used when
it holds the same content, never stale, silent when it cannot be used."""
import pytest

from shapeinfer.library import BUILTIN_RULES
from shapeinfer.rules import cache
from shapeinfer.rules.loader import parse_rules

FILES = [("a.rules", "rule f: (*x) -> (*x)\n"), ("b.rules", "rule g: (n), (n) -> ()\n")]


class CountingParse:
    def __init__(self):
        self.calls = 0

    def __call__(self, text, name):
        self.calls += 1
        return parse_rules(text, name)


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "shapeinfer"


def test_second_load_reads_the_cache(cache_home):
    parse = CountingParse()
    first = cache.load(FILES, "1.0", parse)
    assert parse.calls == 2 and len(list(cache_home.glob("*.pickle"))) == 1
    again = cache.load(FILES, "1.0", parse)
    assert parse.calls == 2
    assert again == first == [parse_rules(t, n) for n, t in FILES]


def test_changed_content_or_version_is_parsed_again(cache_home):
    parse = CountingParse()
    cache.load(FILES, "1.0", parse)
    changed = [FILES[0], ("b.rules", "rule g: (n), (n) -> (n)\n")]
    assert cache.load(changed, "1.0", parse) == [parse_rules(t, n) for n, t in changed]
    assert parse.calls == 4
    cache.load(FILES, "2.0", parse)
    assert parse.calls == 6


def test_corrupt_cache_file_is_parsed_again(cache_home):
    parse = CountingParse()
    cache.load(FILES, "1.0", parse)
    for path in cache_home.glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    assert cache.load(FILES, "1.0", parse) == [parse_rules(t, n) for n, t in FILES]
    assert parse.calls == 4


def test_unwritable_cache_dir_falls_back_silently(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"  # a directory cannot be made under a file, even by root
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    parse = CountingParse()
    assert cache.load(FILES, "1.0", parse) == [parse_rules(t, n) for n, t in FILES]
    assert cache.load(FILES, "1.0", parse) and parse.calls == 4


def test_builtin_rules_survive_the_cache(cache_home):
    files = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(BUILTIN_RULES.glob("*.rules"))]
    parsed = cache.load(files, "test", parse_rules)
    assert cache.load(files, "test", CountingParse()) == parsed
