import pytest
from django.db import connection

from madoguchi.accounts.models import Organisation, User
from madoguchi.core import access
from madoguchi.tickets import selectors
from madoguchi.tickets.models import Category, FormField, Message, RequestType, Ticket
from tests.factories import add_member, make_ticket, make_user
from tests.tickets.conftest import add_field

pytestmark = pytest.mark.django_db


def _visible(user: User) -> set[Ticket]:
    return set(access.visible(user, Ticket))


def test_a_member_sees_their_own_requests_only(alice: User, bob: User, carol: User) -> None:
    own = make_ticket(alice)
    make_ticket(bob)
    make_ticket(carol)

    assert _visible(alice) == {own}


def test_members_see_the_organisation_requests_when_it_allows(
    alice: User, bob: User, org_a: Organisation
) -> None:
    colleague = make_ticket(bob)
    org_a.members_see_all_requests = True
    org_a.save()

    assert colleague in _visible(alice)


def test_the_organisation_admin_sees_every_request_of_the_organisation(
    alice: User, bob: User, carol: User
) -> None:
    member = make_ticket(alice)
    make_ticket(carol)

    assert _visible(bob) == {member}


def test_a_follower_sees_the_request(alice: User, carol: User) -> None:
    ticket = make_ticket(carol)
    ticket.followers.add(alice)

    assert _visible(alice) == {ticket}


def test_agents_see_all_but_requests_waiting_for_customer_approval(
    alice: User, carol: User, dave: User
) -> None:
    waiting = make_ticket(alice)
    Ticket.objects.filter(pk=waiting.pk).update(approval=Ticket.Approval.PENDING)
    other = make_ticket(carol)

    assert _visible(dave) == {other}


def test_customers_never_see_internal_notes(alice: User, dave: User) -> None:
    ticket = make_ticket(alice)
    Message.objects.create(
        ticket=ticket, author=dave, body="Secret", body_html="<p>Secret</p>", is_internal=True
    )

    assert [m.body for m in selectors.public_thread(alice, ticket)] == ["It stopped at page 3."]
    assert len(selectors.public_thread(dave, ticket)) == 2


def test_a_list_filters_by_status_and_finds_by_number_or_subject(alice: User) -> None:
    printer = make_ticket(alice, subject="Printer jam")
    invoice = make_ticket(alice, subject="Invoice copy")
    Ticket.objects.filter(pk=invoice.pk).update(status=Ticket.Status.SOLVED)

    def found(**chosen: object) -> list[Ticket]:
        return list(selectors.tickets_for(alice, selectors.ActivityFilter(**chosen)))

    assert found(status="open") == [printer]
    assert found(status="solved") == [invoice]
    assert found(query="invoice") == [invoice]
    assert found(query=f"#{printer.pk}") == [printer]
    assert found(sort="oldest") == [printer, invoice]


def test_a_list_filters_by_request_type(alice: User, request_type: RequestType) -> None:
    typed = make_ticket(alice, request_type=request_type)
    make_ticket(alice)

    chosen = selectors.ActivityFilter(request_type=request_type.pk)
    assert list(selectors.tickets_for(alice, chosen)) == [typed]
    assert list(selectors.request_types_among(alice)) == [request_type]


def test_activity_tabs_narrow_to_own_copied_and_organisation_requests(
    alice: User, bob: User, carol: User
) -> None:
    asked = make_ticket(bob, subject="Bob's own")
    member = make_ticket(alice, subject="Alice's")
    copied = make_ticket(carol, subject="Carol copied Bob in")
    copied.followers.add(bob)

    def found(scope: str) -> set[str]:
        chosen = selectors.ActivityFilter(scope=scope)
        return {ticket.subject for ticket in selectors.tickets_for(bob, chosen)}

    assert found("mine") == {asked.subject}
    assert found("copied") == {copied.subject}
    assert found("organisation") == {asked.subject, member.subject}
    assert found("") == {asked.subject, member.subject, copied.subject}
    assert selectors.activity_scopes(bob) == ["", "mine", "copied", "organisation"]


def test_a_member_who_may_not_see_the_organisation_gets_no_organisation_tab(
    alice: User, bob: User
) -> None:
    make_ticket(bob)

    assert selectors.activity_scopes(alice) == ["", "mine", "copied"]
    # Asked for anyway, the tab shows nothing the member may not see.
    chosen = selectors.ActivityFilter(scope="organisation")
    assert list(selectors.tickets_for(alice, chosen)) == []


def test_the_catalog_groups_offered_types_and_finds_them_by_any_word(
    request_type: RequestType,
) -> None:
    brand = request_type.brand
    accounts = Category.objects.create(
        brand=brand, name_en="Accounts", name_ja="アカウント", position=1
    )
    RequestType.objects.create(
        brand=brand, category=accounts, name_en="Reset my login", keywords="password パスワード"
    )
    RequestType.objects.create(brand=brand, category=accounts, name_en="Retired", is_active=False)

    everything = selectors.catalog_for(brand)
    assert [(c.name_en, [t.name_en for t in types]) for c, types in everything] == [
        ("Orders", ["Return an item"]),
        ("Accounts", ["Reset my login"]),
    ]
    found = selectors.catalog_for(brand, query="パスワード")
    assert [t.name_en for _c, types in found for t in types] == ["Reset my login"]
    found = selectors.catalog_for(brand, query="返品")
    assert [t.name_en for _c, types in found for t in types] == ["Return an item"]
    assert selectors.catalog_for(brand, query="返品 password") == []


def test_answers_show_with_labels_and_choice_names(alice: User, request_type: RequestType) -> None:
    add_field(request_type, "reason", FormField.Kind.CHOICE, choices="broken | Broken | 壊れていた")
    add_field(request_type, "urgent", FormField.Kind.CHECKBOX)
    ticket = make_ticket(
        alice,
        request_type=request_type,
        answers={"reason": "broken", "urgent": True, "gone_field": "kept"},
    )

    assert selectors.answer_rows(ticket) == [
        ("Reason", "Broken"),
        ("Urgent", "Yes"),
        ("gone_field", "kept"),
    ]


def test_someone_outside_the_organisation_is_not_a_member(org_a: Organisation) -> None:
    stranger = make_user("stranger@example.com")
    add_member(stranger, Organisation.objects.create(name="Other", slug="other"))

    assert make_ticket(stranger) not in _visible(make_user("nobody@example.com"))


def test_agents_are_found_through_their_index_not_by_reading_every_customer(dave: User) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL rightly reads a table of 31 rows whole; its plan shows nothing")
    for n in range(30):
        make_user(f"customer{n}@example.com")

    plan = selectors.agents().explain()

    assert list(selectors.agents()) == [dave]
    assert "user_agents" in plan


def test_the_activity_filter_reads_the_types_among_a_customers_requests_from_an_index(
    alice: User,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's plan for a few rows says nothing about a heavy customer")
    make_ticket(alice)

    plan = selectors.request_types_among(alice).explain()

    assert "COVERING INDEX ticket_requester_recent" in plan
