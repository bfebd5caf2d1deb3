"""Demo data steps that apps above this one add to `manage.py seed_demo`.

`seed_demo` loads this app's own demo (areas, mentors, accounts) and then runs every registered
step in registration order (app order), so no app imports one above it.
"""

from collections.abc import Callable

DemoStep = Callable[[Callable[[str], None]], None]
_steps: list[DemoStep] = []


def register(step: DemoStep) -> DemoStep:
    if step not in _steps:
        _steps.append(step)
    return step


def run_steps(write: Callable[[str], None]) -> None:
    for step in _steps:
        step(write)
