"""Router evaluation on labelled sets: read, record, replay, calibrate, report."""
