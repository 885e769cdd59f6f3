"""A Content-Security-Policy on every response that does not bring its own.

Admin shows hostile mail's raw source, the contact page and sign-in are public: an
injection anywhere must find no inline script, no remote origin and no frame to hide in.
Pages that set a policy of their own (the workspace's PAGE_CSP, an email's EMAIL_CSP, a
download's sandbox) keep it: theirs is as strict or stricter. Django admin and Swagger UI
(drf-spectacular's split view, from drf-spectacular-sidecar's files) run under the default
with no inline script or style: tests/browser checks they show no CSP errors.
"""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
