from django.urls import path

from madoguchi.tickets import agent_views as views

app_name = "agent"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("away/", views.away, name="away"),
    path("requests/<int:pk>/", views.detail, name="detail"),
]
