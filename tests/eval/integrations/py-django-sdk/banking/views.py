import json
import logging

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from banking import services
from banking.models import BankLink

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def create_bank_link(request):
    body = json.loads(request.body)
    link = services.register_link(body["customer_id"], body["institution"], body["username"], body["password"])
    return JsonResponse({"id": str(link.belvo_id)}, status=201)


@csrf_exempt
@require_POST
def refresh_link(request, link_id):
    link = BankLink.objects.get(belvo_id=link_id)
    services.refresh(link)
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def belvo_webhook(request):
    payload = json.loads(request.body or b"{}")
    kind = payload.get("webhook_type")
    code = payload.get("webhook_code")
    link_id = payload.get("link_id")
    log.info("belvo webhook %s %s for %s", kind, code, link_id)
    if kind == "LINK" and code in ("token_required", "invalid_credentials"):
        services.mark_status(link_id, "token_required" if code == "token_required" else "invalid")
    elif kind == "TRANSACTIONS":
        link = BankLink.objects.filter(belvo_id=link_id).first()
        if link:
            services.refresh(link)
    return HttpResponse(status=200)
