from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Affiliation, Country, Institution, InstitutionDomain, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_secretariat", "is_staff", "is_active"]
    list_filter = ["is_secretariat", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "preferred_language", "time_zone")}),
        (
            _("Roles"),
            {"fields": ("is_secretariat", "is_active", "is_staff", "is_superuser", "groups")},
        ),
    )
    add_fieldsets = ((None, {"fields": ("email", "full_name", "password1", "password2")}),)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


class DomainInline(admin.TabularInline):
    model = InstitutionDomain
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind", "verified"]
    list_filter = ["verified", "kind", "country__region", "country"]
    search_fields = ["name", "domains__domain"]
    list_select_related = ["country"]
    inlines = [DomainInline]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "role", "status", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "institution__name"]
    raw_id_fields = ["user", "institution", "decided_by"]
    list_select_related = ["user", "institution"]
