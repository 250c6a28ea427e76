"""A registry of data generators: each app registers how to seed its own models.

The kernel knows no app, so apps register in AppConfig.ready(); `manage.py seed` runs the
synthetic-data seeders in order (identity before content), `manage.py demo` the demo loaders.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class SeedContext:
    """What a seeder needs: how much to make, a seeded random source, and where to report."""

    scale: float
    rng: random.Random
    out: TextIO
    made: dict[str, int] = field(default_factory=dict)

    def count(self, base: int, minimum: int = 1) -> int:
        """Return how many objects to make for a count given at scale 1."""
        return max(minimum, round(base * self.scale))


Seeder = Callable[[SeedContext], None]
DemoLoader = Callable[[], None]
SignIn = tuple[str, str, str]

_seeders: list[tuple[int, Seeder]] = []
_demo_loaders: list[tuple[int, DemoLoader]] = []
_demo_signins: list[SignIn] = []


def register(seeder: Seeder, *, order: int) -> None:
    """Add a synthetic-data seeder; lower orders run first."""
    if all(existing is not seeder for _, existing in _seeders):
        _seeders.append((order, seeder))


def register_demo(loader: DemoLoader, *, order: int, signins: list[SignIn] | None = None) -> None:
    """Add a demo loader, and the (role, email, password) sign-ins it creates."""
    if all(existing is not loader for _, existing in _demo_loaders):
        _demo_loaders.append((order, loader))
        _demo_signins.extend(signins or [])


def seeders() -> list[Seeder]:
    return [seeder for _, seeder in sorted(_seeders, key=lambda item: item[0])]


def demo_loaders() -> list[DemoLoader]:
    return [loader for _, loader in sorted(_demo_loaders, key=lambda item: item[0])]


def demo_signins() -> list[SignIn]:
    return list(_demo_signins)
