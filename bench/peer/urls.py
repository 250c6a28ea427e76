"""URLs of the peer project: django-helpdesk at the root, and the admin it links to."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def ready(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench-ready", ready),
    path("admin/", admin.site.urls),  # the staff ticket view links the submitter's profile
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
