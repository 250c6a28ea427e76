"""Agents' pages of the knowledge base (under /agent/kb/)."""

from django.urls import path

from madoguchi.kb import agent_views

app_name = "kb_agent"

urlpatterns = [
    path("follow-ups/", agent_views.follow_ups, name="follow_ups"),
    path("gaps/", agent_views.gaps, name="gaps"),
    path("follow-ups/<int:pk>/done/", agent_views.follow_up_done, name="follow_up_done"),
]
