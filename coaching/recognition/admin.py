"""Admin of coaching.recognition: read and correct; giving goes through the pages."""

from django.contrib import admin

from coaching.models import Award, Kudos, RecognitionSuggestion


@admin.register(Kudos)
class KudosAdmin(admin.ModelAdmin):
    list_display = ["created_at", "giver", "recipient", "message"]
    list_select_related = ["giver", "recipient"]
    raw_id_fields = ["giver", "recipient", "deal", "goal", "review"]
    search_fields = ["message", "recipient__username", "giver__username"]
    date_hierarchy = "created_at"


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["given_on", "kind", "recipient", "given_by", "value"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "given_by"]
    raw_id_fields = ["recipient", "given_by", "deal", "goal", "adjustment"]
    search_fields = ["reason", "recipient__username"]
    # What was paid is the commission adjustment's business: changing the amount or the
    # kind here would not change the statement.
    readonly_fields = ["kind", "value", "adjustment"]


@admin.register(RecognitionSuggestion)
class RecognitionSuggestionAdmin(admin.ModelAdmin):
    list_display = ["created_on", "manager", "rep", "reason", "acted_at", "dismissed_at"]
    list_filter = ["reason"]
    list_select_related = ["manager", "rep"]
    raw_id_fields = ["manager", "rep", "deal", "goal"]
