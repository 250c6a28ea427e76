"""The help centre's search under the language prefix (/en/search/, /ja/search/)."""

from django.urls import path

from madoguchi.kb import search_views

app_name = "kb_search"

urlpatterns = [
    path("", search_views.page, name="page"),
    path("open/", search_views.click, name="click"),
    path("suggest/", search_views.suggest, name="suggest"),
    path("deflect/", search_views.deflect, name="deflect"),
    path("widget.json", search_views.widget, name="widget"),
]
