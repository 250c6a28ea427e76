from django.urls import path

from madoguchi.accounts import organisation_views as views

app_name = "organisation"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.members_list, name="members"),
    path("<slug:slug>/invite/", views.invite, name="invite"),
    path("<slug:slug>/settings/", views.update_settings, name="settings"),
    path("<slug:slug>/members/<int:pk>/role/", views.change_role, name="change_role"),
    path("<slug:slug>/members/<int:pk>/remove/", views.remove_member, name="remove_member"),
    path(
        "<slug:slug>/invitations/<int:pk>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
]
