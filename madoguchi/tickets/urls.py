from django.urls import path

from madoguchi.tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.activity, name="activity"),
    path("new/", views.catalog, name="catalog"),
    path("new/<int:pk>/", views.submit, name="submit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/followers/", views.followers, name="followers"),
    path("<int:pk>/approval/", views.approval, name="approval"),
    path("<int:ticket_pk>/attachments/<int:pk>/", views.attachment, name="attachment"),
]
