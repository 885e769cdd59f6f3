from django.urls import include, path

from intake import views, webhooks

urlpatterns = [
    path("webhooks/anymail/", include(webhooks.anymail_urlpatterns)),
    path("webhooks/raw/", webhooks.raw_mime, name="webhook-raw"),
    path("webhooks/raw", webhooks.raw_mime),  # never APPEND_SLASH's 301 to a POST
    path("contact/", views.contact, name="contact"),
    path("api/forms/<slug:slug>/", views.form_submit, name="form-submit"),
]
