from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from madoguchi.core import seeding


class Command(BaseCommand):
    help = "Load the demo data when the database has no users yet, then list the demo sign-ins."

    def handle(self, **options: object) -> None:
        users = get_user_model().objects
        if not users.exists():
            for loader in seeding.demo_loaders():
                loader()
            self.stdout.write("Loaded the demo data.")
        signins = [row for row in seeding.demo_signins() if users.filter(email=row[1]).exists()]
        if signins:
            self.stdout.write("Demo sign-ins:")
            for role, email, password in signins:
                self.stdout.write(f"  {role:<30} {email:<22} {password}")
