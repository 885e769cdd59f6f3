"""The simulated Messages API: a documented, seeded stand-in for the model tiers.

    python -m bench.simulator [--seed 13] [--port 0] [--tier1-delay S] [--tier2-delay S]

prints its base URL on the first line of stdout, then serves until its stdin closes (the
parent exits) or it is interrupted. The benchmark (sections 3 and 5) and `make demo` run it as
their own process and point ANTHROPIC_BASE_URL at it; no app imports it.

- model.py: the error model (`Parameters`: error rates by difficulty, confidence
  distributions, output tokens, seed) and `draw()`, deterministic per (seed, tier, message);
- reading.py: the keyword reading for messages that are not in the labelled set;
- server.py: the HTTP server (messages, count_tokens, Message Batches).
"""
