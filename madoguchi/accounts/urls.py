"""The customer's own account, under /accounts/ beside allauth's pages."""

from django.urls import path

from madoguchi.accounts import account_views

app_name = "accounts"

urlpatterns = [
    path("", account_views.overview, name="overview"),
    path("profile/", account_views.profile_edit, name="profile"),
    path("profile/picture/", account_views.avatar_upload, name="avatar_upload"),
    path("profile/picture/remove/", account_views.avatar_remove, name="avatar_remove"),
    path("people/<int:pk>/picture/", account_views.avatar, name="avatar"),
    path("notifications/", account_views.notification_settings, name="notifications"),
    path("data-export/", account_views.data_export, name="data_export"),
    path("data-export/<uuid:pk>/", account_views.data_export_detail, name="data_export_detail"),
    path(
        "data-export/<uuid:pk>/download/",
        account_views.data_export_download,
        name="data_export_download",
    ),
    path("delete/", account_views.delete_account, name="delete"),
    path("delete/done/", account_views.deleted, name="deleted"),
    path("delete/restore/", account_views.deletion_pending, name="deletion_pending"),
]
