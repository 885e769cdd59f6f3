# Routing's models (queues, rules, policy, prices, triage records) arrive with
# the routing issue; the app exists so intake can hand leads to its task.
