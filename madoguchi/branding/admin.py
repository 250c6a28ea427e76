from django.contrib import admin

from madoguchi.branding.models import Brand


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "host", "is_default", "access_mode", "content_requires_sign_in"]
    list_filter = ["access_mode", "content_requires_sign_in"]
    search_fields = ["name", "host"]
