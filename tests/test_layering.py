"""The apps stand on each other in one direction: core ← villages ← businesses ← assistance,
cooperatives. Nothing imports upward, and the two top apps do not import each other."""

import ast

from django.conf import settings
from django.test import SimpleTestCase

ALLOWED = {
    "core": set(),
    "villages": {"core"},
    "businesses": {"core", "villages"},
    "assistance": {"core", "villages", "businesses"},
    "cooperatives": {"core", "villages", "businesses"},
    "reports": {"core", "villages", "businesses", "assistance", "cooperatives"},
}


def imported_apps(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


class LayeringTests(SimpleTestCase):
    def test_no_app_imports_an_app_above_it_or_beside_it(self):
        for app, allowed in ALLOWED.items():
            for path in (settings.BASE_DIR / app).rglob("*.py"):
                with self.subTest(str(path.relative_to(settings.BASE_DIR))):
                    self.assertLessEqual(imported_apps(path) - {app}, allowed)

    def test_the_check_sees_imports(self):
        sample = settings.BASE_DIR / "assistance" / "models.py"
        self.assertEqual(imported_apps(sample), {"core", "villages", "businesses"})
