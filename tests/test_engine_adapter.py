"""The one adapter to MkDocs and Material (site/engine.py): nothing else reaches into them, and what it relies on is pinned.

MkDocs 1.x gets no more releases and Material is in maintenance mode; when either changes, or
is replaced (a maintained fork, Zensical, plain Jinja layouts), these tests say what broke and
that only site/engine.py needs to change. The behaviour itself (the fast engine gives the same
pages as plain `mkdocs build`) is tested in test_site_engine.py.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "transition_booklets"
ADAPTER = PACKAGE / "site" / "engine.py"
ENGINES = ("mkdocs", "material")


def _private_uses(path: Path) -> list[str]:
    """Every private name of MkDocs or Material that ``path`` imports or reads."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported_modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ENGINES:
            parts = node.module.split(".")
            if any(part.startswith("_") for part in parts):
                found.append(f"{path.name}:{node.lineno} from {node.module}")
            found += [f"{path.name}:{node.lineno} {alias.name}" for alias in node.names if alias.name.startswith("_")]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ENGINES:
                    imported_modules.add((alias.asname or alias.name).split(".")[0])
                    if any(part.startswith("_") for part in alias.name.split(".")):
                        found.append(f"{path.name}:{node.lineno} import {alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in imported_modules:
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
    return found


def test_no_module_but_the_adapter_uses_a_private_mkdocs_or_material_name() -> None:
    offenders = {
        str(path.relative_to(ROOT)): uses
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != ADAPTER and (uses := _private_uses(path))
    }
    assert offenders == {}, "only transition_booklets/site/engine.py may use MkDocs' or Material's private names"


def test_the_scan_finds_a_private_name(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text(
        "import mkdocs.commands.build as b\nfrom mkdocs.commands.build import _build_page\nb._populate_page\n"
    )
    assert len(_private_uses(module)) == 2
    assert _private_uses(ADAPTER), "the adapter itself does use one (_build_page): the scan must see it"


def test_what_the_adapter_calls_in_mkdocs_is_still_there() -> None:
    """The adapter's contract with MkDocs 1.6: if this fails after an upgrade, change site/engine.py only."""
    from mkdocs.commands.build import _build_page
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files, get_files
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.toc import get_toc

    def parameters(function: object) -> list[str]:
        return list(inspect.signature(function).parameters)  # type: ignore[arg-type]

    # It renders one page with the compiled theme: page, config, all pages, navigation, Jinja environment.
    assert parameters(_build_page)[:5] == ["page", "config", "doc_files", "nav", "env"]
    # Pages held in memory: a File without a source folder, whose text is set as content_string.
    assert parameters(File.__init__)[:5] == ["self", "path", "src_dir", "dest_dir", "use_directory_urls"]
    assert "content_string" in dir(File)
    assert parameters(Files.add_files_from_theme) == ["self", "env", "config"]
    assert parameters(get_navigation) == ["files", "config"]
    assert parameters(get_files) == ["config"]
    assert parameters(get_toc) == ["toc_tokens"]
    for option in ("strict", "extra_css", "theme", "nav", "extra", "site_name", "docs_dir", "site_dir"):
        assert hasattr(MkDocsConfig, option), option


@pytest.mark.parametrize("name", ["main.html", "partials/languages/en.html"])
def test_what_the_adapter_needs_from_material_is_still_there(name: str) -> None:
    import material

    assert (Path(material.__file__).parent / "templates" / name).is_file()
