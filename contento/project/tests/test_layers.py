"""The layers of pyproject.toml's import-linter contract hold beyond Python imports."""

import re
import tomllib
from pathlib import Path

from django.conf import settings
from django.template import engines

LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")


def _layers() -> dict[str, int]:
    """Return each layer's package and its height (0 the lowest), from import-linter's
    contract in pyproject.toml; packages side by side (`a | b`) share a height."""
    config = tomllib.loads((Path(settings.BASE_DIR).parent / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    heights = {}
    for height, layer in enumerate(reversed(contract["layers"])):
        for package in re.split(r"[|:]", layer):
            heights[package.strip()] = height
    return heights


def _package(module: str, heights: dict[str, int]) -> str | None:
    return next((p for p in heights if module == p or module.startswith(p + ".")), None)


def test_templates_load_tag_libraries_of_their_layer_or_below():
    """A template loading a tag library imports it: the layers hold for templates too."""
    heights = _layers()
    libraries = engines["django"].engine.libraries  # name -> module
    root = Path(settings.BASE_DIR)
    wrong = []
    for template in root.glob("*/templates/**/*"):
        if not template.is_file():
            continue
        app = f"contento.{template.relative_to(root).parts[0]}"
        if app not in heights:
            continue  # the project's own templates (contento/templates) sit at the top
        for names in LOAD.findall(template.read_text(encoding="utf-8")):
            for name in names.split():
                library = _package(libraries[name], heights)
                if library and library != app and heights[library] >= heights[app]:
                    wrong.append((str(template.relative_to(root)), name))
    assert wrong == []
