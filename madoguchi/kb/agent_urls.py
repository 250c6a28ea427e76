"""Agents' pages of the knowledge base (under /agent/kb/): the editor and reader follow-ups."""

from django.urls import path

from madoguchi.kb import agent_views
from madoguchi.kb import editor_views as editor

app_name = "kb_agent"

urlpatterns = [
    path("", editor.index, name="index"),
    path("new/", editor.new, name="new"),
    path("preview/", editor.preview, name="preview"),
    path("articles/<int:pk>/", editor.article, name="article"),
    path("articles/<int:pk>/life/", editor.lifecycle, name="lifecycle"),
    path("articles/<int:pk>/translations/", editor.translation_new, name="translation_new"),
    path("articles/<int:pk>/files/", editor.upload, name="upload"),
    path("texts/<int:pk>/", editor.edit, name="edit"),
    path("texts/<int:pk>/versions/", editor.versions, name="versions"),
    path("reviews/<int:pk>/", editor.review_decide, name="review"),
    path("versions/<int:pk>/restore/", editor.restore, name="restore"),
    path("follow-ups/", agent_views.follow_ups, name="follow_ups"),
    path("gaps/", agent_views.gaps, name="gaps"),
    path("follow-ups/<int:pk>/done/", agent_views.follow_up_done, name="follow_up_done"),
]
