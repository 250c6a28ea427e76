"""/api/v1/requests: a customer's requests and their conversation, as the portal shows them.

Every read goes through the tickets selectors, so the API sees exactly what the pages see:
another organisation's request is 404, and customers are never sent internal notes.
"""

from collections.abc import Callable
from typing import Literal

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import ValidationError as SchemaError

from madoguchi.api.errors import ApiError, count_checked, schema_problem
from madoguchi.api.schemas import (
    MessageIn,
    MessageOut,
    Problem,
    RequestDetail,
    RequestIn,
    RequestPage,
    RequestSummary,
)
from madoguchi.core import idempotency
from madoguchi.core.errors import DomainError
from madoguchi.tickets import selectors, services
from madoguchi.tickets.forms import ReplyForm, RequestForm
from madoguchi.tickets.models import Ticket

router = Router(tags=["requests"])
PAGE_SIZE_MAX = 100
ERRORS = {400: Problem, 401: Problem, 404: Problem}
CREATE_ERRORS = {**ERRORS, 403: Problem, 409: Problem, 413: Problem, 422: Problem, 507: Problem}


class ListFilter(Schema):
    status: Literal["", "open", *Ticket.Status.values] = ""  # type: ignore[valid-type]
    type: int | None = None
    q: str = ""
    sort: Literal["updated", "created", "oldest"] = "updated"
    scope: Literal["", "mine", "copied", "organisation"] = ""
    page: int = 1
    page_size: int = 25


@router.get("", response={200: RequestPage, **ERRORS}, summary="List my requests")
def list_requests(request: HttpRequest, filters: Query[ListFilter]) -> RequestPage:
    count_checked("page_size", filters.page_size, PAGE_SIZE_MAX)
    chosen = selectors.ActivityFilter(
        status=filters.status,
        query=filters.q.strip()[:200],
        request_type=filters.type,
        sort=filters.sort,
        scope=filters.scope,
    )
    paginator = Paginator(selectors.tickets_for(request.user, chosen), filters.page_size)
    page = paginator.get_page(filters.page)
    return RequestPage(
        count=paginator.count,
        page=page.number,
        page_size=filters.page_size,
        results=[RequestSummary(**RequestSummary.fields_of(t)) for t in page.object_list],
    )


@router.post(
    "",
    response={201: RequestDetail, **CREATE_ERRORS},
    summary="Submit a request",
    description="Send an Idempotency-Key header to make retries safe.",
)
def create_request(request: HttpRequest, payload: RequestIn) -> HttpResponse:
    def create() -> idempotency.Answer:
        request_type = selectors.request_type_get_for(
            request.user, request.brand, payload.request_type
        )
        form = RequestForm(request_type, requester=request.user, data=_form_data(payload))
        if not form.is_valid():
            raise ApiError(422, _("Some fields need attention."), errors=_field_errors(form))
        new = form.new_request(brand=request.brand, requester=request.user)
        ticket = _domain(lambda: services.ticket_create(new))
        return idempotency.Answer(201, _detail(request, ticket).model_dump(mode="json"))

    return _once(request, create)


@router.get("/{int:ticket_id}", response={200: RequestDetail, **ERRORS}, summary="One request")
def get_request(request: HttpRequest, ticket_id: int) -> RequestDetail:
    return _detail(request, selectors.ticket_get_for(request.user, ticket_id))


@router.get(
    "/{int:ticket_id}/messages",
    response={200: list[MessageOut], **ERRORS},
    summary="The conversation of a request",
)
def list_messages(request: HttpRequest, ticket_id: int) -> list[MessageOut]:
    ticket = selectors.ticket_get_for(request.user, ticket_id)
    return [MessageOut.from_model(m) for m in selectors.public_thread(request.user, ticket)]


@router.post(
    "/{int:ticket_id}/messages",
    response={201: MessageOut, **CREATE_ERRORS},
    summary="Reply on a request",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MessageIn.model_json_schema()}},
        }
    },
)
def add_message(request: HttpRequest, ticket_id: int) -> HttpResponse:
    # The request is found before the body is read, so a foreign id is 404 whatever is sent.
    ticket = selectors.ticket_get_for(request.user, ticket_id)
    payload = _parse(MessageIn, request)
    if payload.internal and not request.user.is_staff:
        raise ApiError(403, _("Only agents can write internal notes."))

    def create() -> idempotency.Answer:
        form = ReplyForm(data={"body": payload.body})
        if not form.is_valid():
            raise ApiError(422, _("Some fields need attention."), errors=_field_errors(form))
        reply = services.NewReply(
            author=request.user, body=form.cleaned_data["body"], internal=payload.internal
        )
        message = _domain(lambda: services.reply_add(ticket, reply))
        return idempotency.Answer(201, MessageOut.from_model(message).model_dump(mode="json"))

    return _once(request, create)


def _detail(request: HttpRequest, ticket: Ticket) -> RequestDetail:
    thread = selectors.public_thread(request.user, ticket)
    return RequestDetail(
        **RequestSummary.fields_of(ticket),
        answers=selectors.answer_rows(ticket),
        messages=[MessageOut.from_model(m) for m in thread],
    )


def _once(request: HttpRequest, create: Callable[[], idempotency.Answer]) -> HttpResponse:
    """Run a create once per Idempotency-Key; a refusal is an answer too, replayed alike."""

    def answered() -> idempotency.Answer:
        try:
            return create()
        except ApiError as refused:
            return idempotency.Answer(refused.status, refused.body())

    try:
        answer = idempotency.run_once(request, request.user, answered)
    except idempotency.KeyRefusedError as refused:
        raise ApiError(refused.status, str(refused)) from refused
    response = JsonResponse(answer.body, status=answer.status, safe=False)
    if answer.replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
    return response


def _domain[T](run: Callable[[], T]) -> T:
    try:
        return run()
    except services.StorageFullError as error:
        raise ApiError(507, str(error)) from error
    except services.RequestClosedError as error:
        raise ApiError(409, str(error)) from error
    except DomainError as error:
        raise ApiError(422, str(error)) from error


def _parse[S: Schema](schema: type[S], request: HttpRequest) -> S:
    try:
        return schema.model_validate_json(request.body or b"{}")
    except SchemaError as error:
        raise schema_problem(error) from error


def _form_data(payload: RequestIn) -> QueryDict:
    """Give the request form the JSON answers as if they came from the portal's page."""
    data = QueryDict(mutable=True)
    data["subject"] = payload.subject
    data["description"] = payload.description
    for key, value in payload.answers.items():
        if isinstance(value, list):
            data.setlist(key, [_form_value(v) for v in value])
        elif value is not None:
            data[key] = _form_value(value)
    return data


def _form_value(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _field_errors(form: RequestForm | ReplyForm) -> dict[str, list[str]]:
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}
