"""The trained local classifier: the `local` tier when it has a model (routing.local).

- data.py: examples from the shipped training set (data/messages.jsonl.gz, written by
  bench/labelled/training.py), from a labelled-set directory, from reps' corrections and from
  tier-2 decisions.
- train.py: the scikit-learn pipeline (word and character n-gram TF-IDF, logistic
  regression), its held-out and cross-validated figures.
- artifact.py: the fitted pipeline as bytes and back, checked for compatibility.
- store.py: the active `LocalModel` version for this process, with the fallbacks when an
  artifact does not load, and the default model a fresh install trains on first use.
"""
