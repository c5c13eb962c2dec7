"""What `pip install 'newsfacts[toolkit]'` adds to `pip install newsfacts`, and whether it is here.

`pip install newsfacts` reads packages: `newsfacts.load()`, `load_table()`, `newsfacts export` and
`newsfacts locate` need pandas and pyarrow only. The validation toolkit (`build`, `validate`, `add`,
`coverage`, `diff`, `release`, `pack`, `synth`, `report`, `site`, `download`, `completion`: the polars
engine, the pydantic models, the Great Expectations suites) needs the `toolkit` extra of
pyproject.toml, named here by the module each of its distributions is imported as
(tests/test_light_install.py holds the two lists together).
"""

from __future__ import annotations

import importlib.util

MODULES = ("polars", "pydantic", "great_expectations", "jsonschema", "yaml", "shtab", "jinja2", "markdown_it")
INSTALL = "pip install 'newsfacts[toolkit]'"


def missing() -> list[str]:
    """The toolkit's modules that cannot be imported here; none where the extra is installed."""
    return [name for name in MODULES if importlib.util.find_spec(name) is None]
