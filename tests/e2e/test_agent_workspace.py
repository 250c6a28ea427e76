"""The agent workspace in a real browser: macros, the live indicator over real WebSockets
(two agents in two browser contexts on a served ASGI app), and keyboard shortcuts."""

import base64
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from madoguchi.accounts.models import User
from madoguchi.tickets.models import Macro, Priority, Ticket
from tests.e2e.conftest import axe_check, sign_in, sign_in_at
from tests.factories import image_bytes, make_ticket, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OpenPage = Callable[..., Page]


@pytest.fixture
def hanako(db: None) -> User:
    return make_user("hanako@example.com", name="Hanako", is_staff=True)


def test_two_agents_see_each_other_viewing_and_typing(
    open_page: OpenPage, asgi_nodes: tuple[str, str], alice: User, dave: User, hanako: User
) -> None:
    """Each agent on their own app node when Redis is configured (the layer joins them)."""
    ticket = make_ticket(alice)
    path = reverse("agent:detail", args=[ticket.pk])
    node1, node2 = asgi_nodes
    first, second = open_page(base_url=node1), open_page(base_url=node2)
    sign_in_at(first, node1, dave)
    sign_in_at(second, node2, hanako)
    first.goto(node1 + path)
    presence = first.locator("#mdg-presence")
    expect(presence).to_have_attribute("aria-live", "polite")
    expect(presence).to_be_empty()

    second.goto(node2 + path)
    expect(presence).to_have_text("Hanako is viewing")
    expect(second.locator("#mdg-presence")).to_have_text("Dave Agent is viewing")
    axe_check(first)

    second.locator("#id_body").press_sequentially("Looking into it")
    expect(presence).to_have_text("Hanako is typing…")
    second.locator("#id_body").blur()
    expect(presence).to_have_text("Hanako is viewing")

    second.close()
    expect(presence).to_be_empty()


def test_a_macro_fills_the_reply_and_its_changes_go_with_it(
    page: Page, live_server: LiveServer, alice: User, dave: User
) -> None:
    ticket = make_ticket(alice, subject="Invoice missing")
    Macro.objects.create(name="Greeting", body="Hello")
    Macro.objects.create(
        name="Invoice resent",
        body="Dear {{requester.first_name}}, we resent the invoice for {{ticket.number}}.\n"
        "{{ticket.colour}}",
        set_status=Ticket.Status.SOLVED,
        set_priority=Priority.HIGH,
        add_tags="invoice",
        assign_to_me=True,
    )
    sign_in(page, live_server, dave)
    page.goto(reverse("agent:detail", args=[ticket.pk]))
    page.get_by_label("Message").fill("Thank you for waiting.")

    finder = page.get_by_label("Find a macro")
    finder.fill("invoice")
    expect(page.get_by_label("Macro to apply")).to_have_value(
        str(Macro.objects.get(name="Invoice resent").pk)
    )
    finder.press("Enter")  # applies the macro; it does not send the reply

    expect(page.get_by_role("alert")).to_contain_text("{{ticket.colour}}")
    body = page.get_by_label("Message")
    expect(body).to_be_focused()
    expect(body).to_have_value(
        "Thank you for waiting.\n\nDear Alice, we resent the invoice for "
        f"{ticket.number}.\n{{{{ticket.colour}}}}"
    )
    expect(page.get_by_label("Then set the status to")).to_have_value("solved")
    expect(page.get_by_label("And the priority to")).to_have_value("high")
    expect(page.get_by_label("Assign the request to me")).to_be_checked()
    axe_check(page)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW  # nothing is sent before Send

    body.fill(body.input_value().replace("{{ticket.colour}}", "Kind regards"))
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_text("Your message was added.")).to_be_visible()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("solved", "high", dave)
    assert [tag.name for tag in ticket.tags.all()] == ["invoice"]
    assert ticket.messages.last().body.endswith("Kind regards")


def test_keyboard_shortcuts_move_open_reply_and_help(
    page: Page, live_server: LiveServer, alice: User, dave: User
) -> None:
    oldest = make_ticket(alice, subject="Oldest")
    make_ticket(alice, subject="Middle")
    make_ticket(alice, subject="Newest")
    sign_in(page, live_server, dave)
    page.goto(reverse("agent:queue"))

    page.keyboard.press("j")
    expect(page.get_by_role("link", name="Newest")).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.get_by_role("link", name="Middle")).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(live_server.url + reverse("agent:detail", args=[oldest.pk]))

    page.keyboard.press("n")
    body = page.get_by_label("Message")
    expect(body).to_be_focused()
    expect(page.get_by_label("Internal note (only agents see it)")).to_be_checked()
    body.press_sequentially("r? g q")  # typed in a field: text, not shortcuts
    expect(body).to_have_value("r? g q")
    body.blur()
    page.keyboard.press("r")
    expect(body).to_be_focused()
    expect(page.get_by_label("Internal note (only agents see it)")).not_to_be_checked()
    body.blur()

    # A key that belongs to an input method's composition is not a shortcut.
    page.evaluate(
        "document.body.dispatchEvent(new KeyboardEvent('keydown',"
        " {key: '?', isComposing: true, bubbles: true}))"
    )
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    close = dialog.get_by_role("button", name="Close")
    expect(close).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    inside = "document.getElementById('mdg-shortcuts').contains(document.activeElement)"
    assert page.evaluate(inside)  # the modal dialog keeps the focus inside
    axe_check(page)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("g")
    page.keyboard.press("q")
    expect(page).to_have_url(live_server.url + reverse("agent:queue"))


def test_an_agent_searches_and_filters_the_queue_by_keyboard(
    page: Page, live_server: LiveServer, alice: User, carol: User, dave: User
) -> None:
    make_ticket(alice, subject="Printer jam")
    make_ticket(carol, subject="請求書の再発行")
    make_ticket(carol, subject="Printer toner")
    sign_in(page, live_server, dave)
    page.goto(reverse("agent:queue"))

    page.keyboard.press("/")
    search = page.get_by_label("Search by subject or number")
    expect(search).to_be_focused()
    search.fill("printer")
    page.get_by_label("Requester (name or address)").fill("山田")
    page.get_by_label("Requester (name or address)").press("Enter")

    rows = page.locator("[data-mdg-rows] tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Printer toner")
    expect(search).to_have_value("printer")  # the filters stay filled in
    axe_check(page)
    page.get_by_role("link", name="Clear the filters").click()
    expect(rows).to_have_count(3)


def test_an_agent_merges_a_duplicate_and_the_customer_follows_the_old_link(
    open_page: OpenPage, live_server: LiveServer, alice: User, dave: User
) -> None:
    target = make_ticket(alice, subject="Printer jammed", description="Page 3.")
    source = make_ticket(alice, subject="Printer still jammed", description="Page 3 again.")
    page = open_page()
    sign_in(page, live_server, dave)
    page.goto(reverse("agent:detail", args=[source.pk]))

    page.get_by_role("link", name="Merge into another request").click()
    axe_check(page)
    page.get_by_role("link", name=f"{target.number} Printer jammed").click()
    expect(page.get_by_role("heading", name="Check both requests")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name=f"Merge {source.number} into {target.number}").click()

    expect(page.get_by_text(f"{source.number} was merged into {target.number}.")).to_be_visible()
    expect(page.locator(".mdg-thread")).to_contain_text("Page 3 again.")
    customer = open_page()
    sign_in(customer, live_server, alice)
    customer.goto(reverse("tickets:detail", args=[source.pk]))
    expect(customer).to_have_url(live_server.url + reverse("tickets:detail", args=[target.pk]))
    expect(customer.locator("main")).to_contain_text("Page 3 again.")


def test_an_agent_keeps_a_personal_macro(
    page: Page, live_server: LiveServer, alice: User, dave: User
) -> None:
    ticket = make_ticket(alice)
    sign_in(page, live_server, dave)
    page.goto(reverse("agent:macros"))
    axe_check(page)

    page.get_by_label("Name").fill("Thanks")
    page.get_by_label("Reply").fill("Thank you, {{requester.first_name}}.")
    page.get_by_role("button", name="Save the macro").click()

    expect(page.get_by_text("The macro was saved.")).to_be_visible()
    page.goto(reverse("agent:detail", args=[ticket.pk]))
    page.get_by_label("Macro to apply").select_option(label="Thanks (personal)")
    page.get_by_role("button", name="Apply the macro").click()
    expect(page.get_by_label("Message")).to_have_value("Thank you, Alice.")


# A screenshot as the clipboard holds it: a PNG of 2 by 2 pixels.
PASTED_PNG = base64.b64encode(image_bytes("PNG", (2, 2))).decode()
PASTE = """([textarea, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const clipboard = new DataTransfer();
  clipboard.items.add(new File([bytes], "image.png", { type: "image/png" }));
  textarea.focus();
  textarea.dispatchEvent(new ClipboardEvent("paste", { clipboardData: clipboard, bubbles: true,
    cancelable: true }));
}"""


def test_a_pasted_screenshot_goes_with_the_reply_and_shows_in_the_thread(
    open_page: OpenPage, live_server: LiveServer, alice: User, dave: User
) -> None:
    ticket = make_ticket(alice)
    agent = open_page()
    sign_in(agent, live_server, dave)
    agent.goto(reverse("agent:detail", args=[ticket.pk]))
    body = agent.get_by_label("Message")
    body.fill("Open this screen:")
    expect(agent.locator("#id_body_images")).to_be_visible()

    for _twice in range(2):
        agent.evaluate(PASTE, [body.element_handle(), PASTED_PNG])

    expect(body).to_have_value(
        "Open this screen: ![image.png](image.png) ![image-2.png](image-2.png)"
    )
    assert agent.evaluate("document.getElementById('id_files').files.length") == 2
    agent.get_by_role("button", name="Send", exact=True).click()

    customer = open_page()
    sign_in(customer, live_server, alice)
    customer.goto(reverse("tickets:detail", args=[ticket.pk]))
    images = customer.locator(".mdg-thread img")
    expect(images).to_have_count(2)
    images.first.scroll_into_view_if_needed()
    expect(images.first).to_have_attribute("alt", "image.png")
    loaded = "(image) => image.complete && image.naturalWidth === 2"
    customer.wait_for_function(f"[...document.querySelectorAll('.mdg-thread img')].every({loaded})")
    axe_check(customer)
