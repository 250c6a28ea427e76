"""Reader pages of the help centre, under the language prefix (/en/kb/…, /ja/kb/…)."""

from django.urls import path

from madoguchi.kb import views

app_name = "kb"

urlpatterns = [
    path("", views.index, name="index"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-articles.xml", views.sitemap_page, name="sitemap_page"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("<slug:kb>/", views.home, name="home"),
    path("<slug:kb>/feed.atom", views.feed, name="feed"),
    path("<slug:kb>/categories/<slug:slug>/", views.category, name="category"),
    path("<slug:kb>/sections/<slug:slug>/", views.section, name="section"),
    path("<slug:kb>/tags/<str:slug>/", views.tag, name="tag"),
    path("<slug:kb>/articles/<str:slug>/", views.article, name="article"),
    path("<slug:kb>/articles/<str:slug>/feedback/", views.vote, name="vote"),
]
