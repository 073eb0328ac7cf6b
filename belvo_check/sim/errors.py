"""Belvo error bodies: a JSON array of {code, message, request_id, field?} (facts §2.2)."""
from __future__ import annotations

MESSAGES = {  # messages as the spec's error schemas give them
    "authentication_failed": "Invalid Secret Keys",
    "not_found": "Not found",
    "request_timeout": "The request timed out, you can retry asking for less data by changing your query parameters",
    "unexpected_error": "Belvo is unable to process the request due to an internal system issue or to an unsupported response from an institution",
    "too_many_sessions": "Impossible to login, a session is already opened with the institution for these credentials",
    "login_error": "Invalid credentials provided to login to the institution",
    "session_expired": "The session you are trying to resume has expired, please start again from register/retrieve endpoint",
    "required": "This field is required.",
    "blank": "This field may not be blank.",
    "invalid_choice": "This is not a valid choice.",
    "does_not_exist": "Object does not exist.",
    "institution_down": "The financial institution is down, try again later",
    "institution_unavailable": "The financial institution is unavailable",
    "institution_inactive": "The institution has been temporarily deactivated",
    "invalid_link": "The link has been invalidated. You may need to update link credentials",
    "unconfirmed_link": "The link creation has not been completed yet",
    "unsupported_operation": "The resource you are trying to access is not supported by this institution",
    "token_required": "A MFA token is required by the institution to login",
    "link_refreshed": "The link has already been refreshed. Please wait 10 minutes before trying again.",
    "access_to_resource_denied": "You don't have access to this resource.",
    "too_many_requests": "Request was throttled. Expected available in 60 seconds.",
    "method_not_allowed": "Method not allowed.",
}
DEFAULT_CODES = {400: "login_error", 401: "authentication_failed", 403: "access_to_resource_denied",
                 404: "not_found", 405: "method_not_allowed", 408: "request_timeout", 409: "link_refreshed",
                 428: "token_required", 429: "too_many_requests"}
HTML_STATUSES = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def error_object(code: str, request_id: str, message: str | None = None, field: str | None = None, **extra) -> dict:
    obj = {"code": code, "message": message or MESSAGES.get(code, code.replace("_", " ").capitalize()),
           "request_id": request_id}
    if field:
        obj["field"] = field
    obj.update(extra)
    return obj


def html_page(status: int) -> bytes:
    """What a proxy in front of an API tends to answer with: not JSON at all."""
    title = f"{status} {HTML_STATUSES.get(status, 'Error')}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            f"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()
