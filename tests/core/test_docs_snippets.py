"""Every YAML snippet in the README and docs/ (CI jobs, Alertmanager receivers, catalogs) parses: a reader
who pastes one gets a working file, not a syntax error."""

import re

import pytest
import yaml
from django.conf import settings

DOCS = [settings.BASE_DIR / "README.md", *sorted((settings.BASE_DIR / "docs").glob("*.md"))]
YAML_BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.S | re.M)
SNIPPETS = [(path.name, index, block) for path in DOCS
            for index, block in enumerate(YAML_BLOCK.findall(path.read_text()))]  # fmt: skip


@pytest.mark.parametrize("name, index, block", SNIPPETS, ids=[f"{name}-{index}" for name, index, _ in SNIPPETS])
def test_the_yaml_snippet_parses(name, index, block):
    assert list(yaml.safe_load_all(block)), f"{name}: YAML snippet {index} is empty"
