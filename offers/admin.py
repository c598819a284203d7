from django.contrib import admin

from offers.models import IscedField, Sdg


@admin.register(IscedField)
class IscedFieldAdmin(admin.ModelAdmin):
    list_display = ["code", "level", "label_en"]
    list_filter = ["level"]
    search_fields = ["code", "label_en"]


@admin.register(Sdg)
class SdgAdmin(admin.ModelAdmin):
    list_display = ["number", "short_en"]
