from django.urls import path

from madoguchi.kb import file_views

app_name = "kb_files"

# The prefix is kb.publishing.FILES_PREFIX: the only place article images may come from.
urlpatterns = [path("<int:pk>/<str:name>", file_views.attachment, name="file")]
