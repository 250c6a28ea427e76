import random
import time

from django.core.management.base import BaseCommand, CommandParser

from madoguchi.core import seeding


class Command(BaseCommand):
    help = "Generate realistic synthetic data in English and Japanese (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 = 2,000 customers in 200 organisations"
        )
        parser.add_argument("--random-seed", type=int, default=1, help="for repeatable data")

    def handle(self, *, scale: float, random_seed: int, **options: object) -> None:
        ctx = seeding.SeedContext(scale=scale, rng=random.Random(random_seed), out=self.stdout)  # noqa: S311
        started = time.perf_counter()
        for seeder in seeding.seeders():
            seeder(ctx)
        elapsed = time.perf_counter() - started
        made = ", ".join(f"{count} {kind}" for kind, count in ctx.made.items()) or "nothing new"
        self.stdout.write(f"seeded {made} in {elapsed:.1f} s")
