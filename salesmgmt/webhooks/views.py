"""Webhook endpoints and their delivery logs: configuration, so admins only (404 else)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salesmgmt.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from salesmgmt.webhooks import delivery as wire
from salesmgmt.webhooks import selectors, services
from salesmgmt.webhooks.forms import WebhookEndpointForm

LOG_PAGE_SIZE = 50


def _admin_only(request) -> None:
    """Webhooks are configuration (and hold secrets): admins only; anyone else gets a 404."""
    if not request.user.is_admin:
        raise Http404


def _endpoint(request, pk) -> WebhookEndpoint:
    _admin_only(request)
    return get_object_or_404(WebhookEndpoint, pk=pk)


def endpoint_list(request):
    _admin_only(request)
    return render(
        request,
        "salesmgmt/webhooks/list.html",
        {"endpoints": selectors.endpoints_with_state()},
    )


@require_http_methods(["GET", "POST"])
def endpoint_create(request):
    _admin_only(request)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = services.create_endpoint(**form.cleaned_data, by=request.user)
        messages.success(
            request, _("Endpoint added. Copy its signing secret below to your receiver.")
        )
        return redirect("webhooks:edit", endpoint.pk)
    return render(request, "salesmgmt/webhooks/form.html", {"form": form, "endpoint": None})


@require_http_methods(["GET", "POST"])
def endpoint_edit(request, pk):
    endpoint = _endpoint(request, pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_endpoint(endpoint=endpoint, **form.cleaned_data)
        messages.success(request, _("Endpoint saved."))
        return redirect("webhooks:edit", endpoint.pk)
    return render(request, "salesmgmt/webhooks/form.html", {"form": form, "endpoint": endpoint})


@require_POST
def endpoint_rotate_secret(request, pk):
    endpoint = _endpoint(request, pk)
    services.rotate_secret(endpoint=endpoint)
    messages.success(
        request,
        _("New secret made. Deliveries are signed with it from now on: update your receiver."),
    )
    return redirect("webhooks:edit", endpoint.pk)


@require_POST
def endpoint_send_test(request, pk):
    endpoint = _endpoint(request, pk)
    services.send_test_event(endpoint=endpoint, by=request.user)
    messages.success(request, _("Test event queued: its delivery is at the top of the log."))
    return redirect("webhooks:deliveries", endpoint.pk)


@require_http_methods(["GET", "POST"])
def endpoint_delete(request, pk):
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        services.delete_endpoint(endpoint=endpoint)
        messages.success(request, _("Endpoint deleted."))
        return redirect("webhooks:list")
    return render(request, "salesmgmt/webhooks/confirm_delete.html", {"endpoint": endpoint})


def delivery_list(request, pk):
    endpoint = _endpoint(request, pk)
    status = request.GET.get("status") or ""
    if status not in WebhookDeliveryStatus.values:
        status = ""
    page = Paginator(
        selectors.delivery_log(endpoint, status=status or None), LOG_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "page": page,
        "status": status,
        "statuses": WebhookDeliveryStatus.choices,
        "query": f"status={status}" if status else "",
    }
    # HTMX (the status filter): just the table and its pager.
    template = "salesmgmt/webhooks/_log.html" if request.htmx else "salesmgmt/webhooks/log.html"
    return render(request, template, context)


def _delivery(request, pk) -> WebhookDelivery:
    _admin_only(request)
    return get_object_or_404(WebhookDelivery.objects.select_related("event", "endpoint"), pk=pk)


def delivery_detail(request, pk):
    delivery = _delivery(request, pk)
    return render(
        request,
        "salesmgmt/webhooks/delivery.html",
        {
            "delivery": delivery,
            "endpoint": delivery.endpoint,
            "body": wire.body_of(delivery.event).decode(),
            "headers": sorted(delivery.request_headers.items()),
        },
    )


@require_POST
def delivery_redeliver(request, pk):
    delivery = services.redeliver(delivery=_delivery(request, pk))
    if request.htmx:
        delivery = _delivery(request, pk)
        return render(request, "salesmgmt/webhooks/_log_row.html", {"delivery": delivery})
    messages.success(request, _("Queued for delivery again, with the same event id."))
    return redirect("webhooks:delivery", delivery.pk)
