"""The raw message of a received mail, as a download for agents and admins."""

from django.http import FileResponse, HttpRequest

from madoguchi.core.access import staff_view
from madoguchi.tickets.inbound.selectors import inbound_mail_get_for


@staff_view
def raw(request: HttpRequest, pk: int) -> FileResponse:
    mail = inbound_mail_get_for(request.user, pk)
    response = FileResponse(
        mail.raw.open("rb"),
        as_attachment=True,
        filename=f"mail-{mail.pk}.eml",
        content_type="message/rfc822",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
