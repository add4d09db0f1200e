"""The rule files are read with libyaml's safe loader when PyYAML has it (ten times as fast as the
pure-Python one): both give the same data, and neither builds anything but plain data."""

import pytest
import yaml

from fazhi_lib import rules
from fazhi_lib.rules import RULES_DIR, load_rules

TRICKY = """\
# comments, anchors, block and folded scalars, CRLF-free unicode, numbers, dates as YAML 1.1 reads them
a: &base {x: 1, y: [1.5, -2, 0x1F, 1e3, .inf, null, ~, yes, off]}
b:
  <<: *base
  z: "引号\\t内"
c: |
  第一行
    缩进的第二行
d: >-
  折叠的
  一行
e: 2024-01-31
f: '单引号 '' 里'
g: [一、, （一）, "1."]
"""


def _pure(text: str):
    return yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


def test_the_fast_loader_is_a_safe_one():
    assert issubclass(rules._SAFE_LOADER, yaml.constructor.SafeConstructor)
    with pytest.raises(yaml.YAMLError):
        yaml.load("!!python/object/apply:os.system ['true']", Loader=rules._SAFE_LOADER)  # noqa: S506


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_packaged_rule_file_reads_as_with_the_pure_python_loader(path):
    assert load_rules(path.stem) == _pure(path.read_text(encoding="utf-8"))


def test_tricky_yaml_reads_the_same(tmp_path, monkeypatch):
    (tmp_path / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    monkeypatch.setenv("FAZHI_RULES_DIR", str(tmp_path))
    got = load_rules("tricky")
    assert got == _pure(TRICKY)
    assert got["b"]["x"] == 1 and got["c"] == "第一行\n  缩进的第二行\n" and got["d"] == "折叠的 一行"
