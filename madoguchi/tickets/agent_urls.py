from django.urls import path

from madoguchi.tickets import agent_views as views
from madoguchi.tickets.inbound import views as inbound_views

app_name = "agent"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("requests/<int:pk>/", views.detail, name="detail"),
    path("mail/<int:pk>/raw/", inbound_views.raw, name="inbound-raw"),
    path("requests/<int:pk>/merge/", views.merge, name="merge"),
    path("macros/", views.my_macros, name="macros"),
]
