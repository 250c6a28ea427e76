from django.urls import path

from madoguchi.kb import editor_views as views

app_name = "kb_editor"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("preview/", views.preview, name="preview"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="follow_up_close"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("articles/<int:pk>/life/", views.lifecycle, name="lifecycle"),
    path("articles/<int:pk>/translations/", views.translation_new, name="translation_new"),
    path("articles/<int:pk>/files/", views.upload, name="upload"),
    path("texts/<int:pk>/", views.edit, name="edit"),
    path("texts/<int:pk>/versions/", views.versions, name="versions"),
    path("reviews/<int:pk>/", views.review_decide, name="review"),
    path("versions/<int:pk>/restore/", views.restore, name="restore"),
]
