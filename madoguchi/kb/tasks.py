"""Background tasks of the knowledge base: thin @task wrappers over its services."""

from django.tasks import task

from madoguchi.kb import authoring


@task()
def reviews_publish_due_task() -> int:
    """Publish approved drafts whose scheduled time has come (every minute)."""
    return authoring.reviews_publish_due()


@task()
def review_reminders_task() -> int:
    """Remind owners of articles due for review, once per review-by date (hourly)."""
    return authoring.review_reminders_send()
