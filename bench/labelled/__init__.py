"""The labelled set the benchmark triages: mail/NNNN.eml and labels.csv (see generate.py).

labels.csv is the labelled-set format (README.md here): file, category (a seeded routing
category, routing/defaults.py), is_lead (yes/no), value_usd (a lead's dollars a year, empty for
the rest), difficulty (easy/hard/ambiguous), language (ISO 639-1), and two columns of this set
only: kind (person, or the machine that wrote it: ooo, autoresponder, newsletter, bounce) and
sender.
"""

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAIL_DIR = HERE / "mail"
LABELS = HERE / "labels.csv"


def read_labels() -> list[dict]:
    with LABELS.open(newline="") as handle:
        return list(csv.DictReader(handle))


def mail_files() -> list[Path]:
    return sorted(MAIL_DIR.glob("*.eml"))
