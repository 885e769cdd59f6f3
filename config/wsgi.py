import io
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()


def with_chunked_bodies(app, *, limit_bytes):
    """Give Django a Content-Length for bodies sent chunked.

    Django's WSGIRequest reads CONTENT_LENGTH bytes and treats a missing one as
    0, so a chunked post (gunicorn de-chunks wsgi.input) reached the views
    empty and was refused with a 4xx: the sender then never retries. Read at
    most limit + 1 bytes here; past the cap the declared length is limit + 1,
    which the intake views answer with their deliberate 413.
    """

    def wrapped(environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            stream, pieces, size = environ["wsgi.input"], [], 0
            while size <= limit_bytes:
                piece = stream.read(min(64 * 1024, limit_bytes + 1 - size))
                if not piece:
                    break
                pieces.append(piece)
                size += len(piece)
            environ["wsgi.input"] = io.BytesIO(b"".join(pieces))
            environ["CONTENT_LENGTH"] = str(size)
        return app(environ, start_response)

    return wrapped


def build_application():
    from django.conf import settings

    return with_chunked_bodies(django_application, limit_bytes=settings.INTAKE_MAX_BYTES)


application = build_application()
