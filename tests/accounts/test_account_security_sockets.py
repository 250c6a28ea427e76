"""R21: the admin's account actions close the person's open WebSockets within a second."""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async as sync_to_async
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connections
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Membership, User
from tests.accounts.test_revocation import _assert_closed, _signed_in_session, _socket
from tests.factories import make_organisation, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_thread_connections() -> AsyncIterator[None]:
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def person() -> User:
    user = make_user("mia@example.com")
    Membership.objects.create(user=user, organisation=make_organisation("Org M", "org-m"))
    return user


@pytest.fixture
def admin() -> User:
    return make_user("root@example.com", is_staff=True, is_superuser=True)


def _confirm(admin: User, action: str, person: User) -> HttpResponse:
    client = Client()
    client.force_login(admin)
    data = {"action": action, ACTION_CHECKBOX_NAME: [person.pk], "confirmed": "yes"}
    return client.post(reverse("admin:accounts_user_changelist"), data, HTTP_HOST="localhost")


@pytest.mark.parametrize("action", ["deactivate_users", "force_password_reset", "reset_mfa"])
async def test_the_action_closes_the_persons_socket(person: User, admin: User, action: str):
    session_key = await sync_to_async(_signed_in_session)(person)
    communicator = await _socket(session_key)

    response = await sync_to_async(_confirm)(admin, action, person)

    assert response.status_code == 302
    await _assert_closed(communicator)
