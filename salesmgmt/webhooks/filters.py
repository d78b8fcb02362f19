import django_filters

from salesmgmt.models import WebhookDelivery, WebhookDeliveryStatus


class WebhookDeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WebhookDeliveryStatus.choices)

    class Meta:
        model = WebhookDelivery
        fields = ["status"]
