from django.urls import include, path

from workspace import api, contact_views, lead_views, replies, views

urlpatterns = [
    path("api/", include(api.urlpatterns)),
    path("", views.queue, name="queue"),
    path("queue/updates/", views.queue_updates, name="queue-updates"),
    path("queue/changes/", views.queue_changes, name="queue-changes"),
    path("queue/bulk/", views.bulk_action, name="queue-bulk"),
    path("views/", views.save_view, name="saved-view-save"),
    path("views/<int:view_id>/delete/", views.delete_view, name="saved-view-delete"),
    path("leads/<int:lead_id>/", lead_views.lead_detail, name="lead"),
    path("leads/<int:lead_id>/live/", lead_views.lead_live, name="lead-live"),
    path(
        "leads/<int:lead_id>/messages/<int:message_id>/html/",
        lead_views.message_html,
        name="message-html",
    ),
    path(
        "leads/<int:lead_id>/attachments/<int:attachment_id>/",
        lead_views.attachment_download,
        name="lead-attachment",
    ),
    path("leads/<int:lead_id>/claim/", lead_views.claim, name="lead-claim"),
    path("leads/<int:lead_id>/unclaim/", lead_views.unclaim, name="lead-unclaim"),
    path("leads/<int:lead_id>/assign/", lead_views.assign, name="lead-assign"),
    path("leads/<int:lead_id>/status/", lead_views.set_status, name="lead-status"),
    path("leads/<int:lead_id>/notes/", lead_views.add_note, name="lead-note"),
    path("leads/<int:lead_id>/follow-up/", lead_views.follow_up, name="lead-follow-up"),
    path(
        "leads/<int:lead_id>/follow-up/done/",
        lead_views.follow_up_done,
        name="lead-follow-up-done",
    ),
    path("contacts/<int:contact_id>/", contact_views.contact_page, name="contact-page"),
    path("companies/<str:domain>/", contact_views.company_page, name="company-page"),
    path("leads/<int:lead_id>/category/", lead_views.correct_category, name="lead-category"),
    path(
        "leads/<int:lead_id>/qualification/",
        lead_views.correct_qualification,
        name="lead-qualification",
    ),
    path("leads/<int:lead_id>/rerun/", lead_views.rerun, name="lead-rerun"),
    path("leads/<int:lead_id>/spam/", lead_views.mark_spam, name="lead-spam"),
    path("leads/<int:lead_id>/merge/", lead_views.merge, name="lead-merge"),
    path("leads/<int:lead_id>/reply/", replies.send, name="lead-reply"),
    path("leads/<int:lead_id>/draft/", replies.draft, name="lead-draft"),
    path(
        "leads/<int:lead_id>/outbox/<int:outbox_id>/retry/",
        replies.retry,
        name="lead-reply-retry",
    ),
]
