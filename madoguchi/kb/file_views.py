"""Article files (and the images in article bodies), served under the article's visibility."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from madoguchi.core.access import get_visible_or_404, object_view
from madoguchi.core.uploads import private_file_response
from madoguchi.kb.models import ArticleAttachment


@object_view(ArticleAttachment, url_kwargs=lambda a: {"pk": a.pk, "name": a.name})
@require_GET
def attachment(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    found = get_visible_or_404(request.user, ArticleAttachment, pk=pk)
    return private_file_response(found.file, name=found.name, content_type=found.content_type)
