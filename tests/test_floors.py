"""The house rule (DESIGN.md section 2): a package imports only from the floors below it.

Read from the source with `ast`, so an import inside a function counts as much as one at the
top, and a `TYPE_CHECKING` import too (it still couples the floors).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> the project packages it may import (besides itself)
MAY_IMPORT = {
    "runtime": set(),
    "domain": set(),
    "storage": {"runtime", "domain"},
    "actors": {"runtime", "domain", "storage"},
    "gateways": {"runtime", "domain", "storage"},
    "web": {"runtime", "domain", "storage", "actors", "gateways"},
    "showroom": {"runtime", "domain", "storage", "actors", "gateways", "web"},
}
# the domain is pure: no event loop, no I/O libraries
DOMAIN_FORBIDDEN = {"trio", "httpx", "peewee", "PIL", "starlette", "hypercorn", "sqlite3"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_a_package_imports_only_from_lower_floors(package):
    wrong = []
    for path in modules_of(package):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in MAY_IMPORT and top != package and top not in MAY_IMPORT[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_domain_does_no_io_and_runs_without_trio():
    wrong = []
    for path in modules_of("domain"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            # an `if TYPE_CHECKING:` block only names types; it is not executed
            if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
                node.body = []
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            wrong += [
                f"{path.relative_to(ROOT)} imports {n}"
                for n in names
                if n.split(".")[0] in DOMAIN_FORBIDDEN
            ]
    assert not wrong, "\n".join(wrong)


def test_every_package_is_on_a_floor():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages <= set(MAY_IMPORT), packages - set(MAY_IMPORT)
