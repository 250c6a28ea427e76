from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import approval_views, invitation_views, session_views
from madoguchi.kb import views as kb_views

# Staff sign in through the portal's sign-in, with its MFA and rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = format_lazy(_("{brand} administration"), brand=settings.BRAND_NAME)
admin.site.site_title = admin.site.site_header
admin.site.site_url = "/"

urlpatterns = [
    path("", include("madoguchi.core.urls")),
    path("robots.txt", kb_views.robots, name="robots"),
    path("accounts/sessions/<int:pk>/end/", session_views.end_session, name="usersession_end"),
    path("accounts/approval/", approval_views.approval_status, name="account_approval"),
    path("accounts/", include("madoguchi.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("requests/", include("madoguchi.tickets.urls")),
    path("agent/kb/", include("madoguchi.kb.agent_urls")),
    path("agent/", include("madoguchi.tickets.agent_urls")),
    path("api/v1/", include("madoguchi.api.urls")),
    path("organisation/", include("madoguchi.accounts.organisation_urls")),
    path("notifications/", include("madoguchi.accounts.notification_urls")),
    path("invitations/<str:token>/", invitation_views.accept, name="invitation_accept"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# The help centre's addresses carry their language (/en/kb/…, /ja/kb/…): a shared link opens in
# the language it was written in, and search engines index each language on its own.
urlpatterns += i18n_patterns(
    path("kb/", include("madoguchi.kb.urls")),
    path("search/", include("madoguchi.kb.search_urls")),
)

handler400 = "madoguchi.core.views.bad_request"
handler403 = "madoguchi.core.views.permission_denied"
handler404 = "madoguchi.core.views.page_not_found"
handler500 = "madoguchi.core.views.server_error"
handler429 = "madoguchi.core.views.too_many_requests"
