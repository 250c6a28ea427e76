"""The notification centre, under /notifications/."""

from django.urls import path

from madoguchi.accounts import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("<int:pk>/read/", views.read_one, name="read"),
]
