"""Background tasks of search: the embedding backlog, drained at low priority."""

import logging

from django.tasks import task

from madoguchi.search import embeddings, services

logger = logging.getLogger("madoguchi.search")

# Pages and mail come first: vectors can wait, they only improve ranking.
EMBEDDING_PRIORITY = -50
BATCH_PER_TASK = 64


@task(priority=EMBEDDING_PRIORITY)
def embeddings_compute_task() -> int:
    """Embed a batch of the backlog, and queue the next batch while any is left."""
    done = services.embeddings_compute(limit=BATCH_PER_TASK)
    if done and embeddings.stale_documents().exists():
        embeddings_compute_task.enqueue()
    return done
