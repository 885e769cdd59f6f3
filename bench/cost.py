"""Section 5: what routing costs per lead on the labelled set, and what it loses in quality,
against all-tier-2, at the confidence threshold the calibrator chose.

1. The labelled set is split, seeded and stratified by category and difficulty, into a
   calibration half and a held-out half (bench/quality.py).
2. On the calibration half, tier 1's answers come from the simulated model directly (no
   pipeline: the simulation is deterministic per message and tier, so these are the answers
   the pipeline gets) and `routing.calibration.choose_threshold` picks the cheapest threshold
   whose conformal bound on the miss rate is at most alpha (0.05).
3. The held-out half goes through the real pipeline at that threshold: `ingest_email`, the
   worker's `process_message` (the zero-token hygiene gate), `triage_lead` for each lead that
   reaches triage (rules, tier 1, escalation by code, tier 2), then the shadow audits it drew
   (one Message Batch, as the scheduled task sends them), against the simulated Messages API
   in its own process (bench/simulator). Cost is what the pipeline recorded on its ModelCall
   rows, priced from the ModelPrice table, and cost per lead is the admin dashboard's own
   figure (routing.dashboard.cost_per_lead: every lead counted, a filtered one at 0).
4. Quality on the held-out messages a model decided: the pipeline's category and is_lead
   against tier 2's simulated answer on the same messages (all-tier-2), the losses with 95%
   paired-bootstrap intervals, and the miss rate (tier 1 accepted and wrong) against alpha.

All-tier-2 cost baseline: every lead sent once to the tier-2 model alone: tier 1's request
(its mean input over the run) with tier 2's output, priced from the same table. The
dashboard's own savings figure (the same calls' tokens at tier-2 prices, so it leaves out what
the gate saved) is shown beside it. Every quality figure is the simulated model's, not
Claude's: its parameters are printed with them.
"""

from dataclasses import replace
from decimal import Decimal

from bench import quality, scratch
from bench.labelled import MAIL_DIR, read_labels, replica
from bench.report import Row, at_most, pct, usd
from bench.simulator.model import Parameters
from bench.simulator.process import running

AUTOMATIC_KINDS = {"ooo", "autoresponder", "newsletter", "bounce"}


def run_labelled(items: list[list], threshold: str | None = None) -> dict:
    """In bench.child: these labelled messages ([file, copy] each, bench.labelled.replica)
    through intake and triage, the policy's confidence threshold set to `threshold` first; the
    figures and each message's decision, by bench.quality.key."""
    from django.db.models import Avg, Sum
    from django.utils import timezone

    from intake import services as intake_services
    from intake.models import Lead, Message
    from routing import audits, calls, dashboard, prices
    from routing import services as routing_services
    from routing.models import ModelCall, RoutingPolicy, ShadowAudit, Triage

    by_file = {row["file"]: row for row in read_labels()}
    labels = [{**by_file[file], "replica": copy} for file, copy in items]
    if threshold is not None:
        RoutingPolicy.objects.filter(is_active=True).update(confidence_threshold=Decimal(threshold))
    message_of = {}
    for row in labels:
        raw = replica((MAIL_DIR / row["file"]).read_bytes(), row["replica"], row["sender"])
        ingested = intake_services.ingest_email(raw=raw, provider="bench-labelled")
        intake_services.process_message(ingested.message.pk)
        message_of[quality.key(row)] = ingested.message.pk
    for lead_id in Lead.objects.filter(status=Lead.Status.AWAITING_TRIAGE).values_list(
        "pk", flat=True
    ):
        routing_services.triage_lead(lead_id)
    # The drawn shadow audits go as a Message Batch, as the scheduled task sends them.
    for _ in range(10):
        audits.run()
        if not ShadowAudit.objects.filter(done_at__isnull=True).exists():
            break

    today = timezone.localdate()
    rng = dashboard.Range(today, today)
    policy = dashboard.active_policy()
    per_lead = dashboard.cost_per_lead(rng)["overall"]
    spend = dashboard.spend(rng, policy)
    leads = per_lead["n"]
    tier2 = calls.price_in_force(policy.tier2_model, timezone.now())
    # The all-tier-2 call for a lead is tier 1's request sent to tier 2: the same input.
    tier1_calls = ModelCall.objects.for_leads().filter(tier=1, input_tokens__isnull=False)
    tier1_input = tier1_calls.aggregate(mean=Avg("input_tokens"))["mean"]
    one_tier2_call = prices.cost(
        prices.Usage(
            input_tokens=round(tier1_input or 0),
            output_tokens=Parameters().tier2.output_tokens,
        ),
        tier2,
    )

    hygiene = dict(Message.objects.values_list("pk", "hygiene"))
    automatic = [row for row in labels if row["kind"] in AUTOMATIC_KINDS]
    people = [row for row in labels if row["kind"] not in AUTOMATIC_KINDS]
    flagged_people = [row for row in people if hygiene[message_of[quality.key(row)]]]
    triaged = Triage.objects.filter(decided_at__isnull=False)
    by_model = triaged.exclude(model__in=["local", "rules"])
    with_calls = ModelCall.objects.for_leads().values("lead_id").distinct().count()
    escalated = by_model.filter(escalated=True).count()
    # What escalating cost: every tier-2 or tier-3 call but the audits (retries included).
    escalation_usd = (
        ModelCall.objects.for_leads()
        .filter(tier__gte=2, cost_usd__isnull=False)
        .exclude(purpose=ModelCall.Purpose.SHADOW_AUDIT)
        .aggregate(total=Sum("cost_usd"))["total"]
    )
    lead_of = dict(Message.objects.filter(pk__in=message_of.values()).values_list("pk", "lead_id"))
    decided = {
        triage.lead_id: {
            "category": triage.category,
            "is_lead": triage.is_lead,
            "tier1_alone": triage.tier == 1 and not triage.escalated,
        }
        for triage in by_model
    }
    decisions = {
        file: decided[lead_of[pk]] for file, pk in message_of.items() if lead_of.get(pk) in decided
    }
    return {
        "messages": len(labels),
        "decisions": decisions,
        "threshold": str(policy.confidence_threshold),
        "leads": leads,
        "total_usd": per_lead["total"],
        "cost_per_lead_usd": per_lead["mean"],
        "all_tier2_per_lead_usd": one_tier2_call,
        "ratio": per_lead["total"] / (one_tier2_call * leads) if leads else None,
        "ratio_without_audits": (
            (per_lead["total"] - spend["shadow_cost"]) / (one_tier2_call * leads) if leads else None
        ),
        "dashboard_savings_share": spend["savings_share"],
        "shadow_usd": spend["shadow_cost"],
        "shadow_calls": spend["shadow_calls"],
        # Audits are drawn among confident tier-1 decisions (audits.drawn_for_audit).
        "shadow_expected": float(policy.shadow_audit_rate)
        * by_model.filter(escalated=False).count(),
        "calls": spend["calls"],
        "free_share": (leads - with_calls) / leads if leads else None,
        "gate_filtered": Lead.objects.filter(status=Lead.Status.FILTERED).count(),
        "rules_or_local": triaged.filter(model__in=["local", "rules"]).count(),
        "escalated_share": escalated / by_model.count() if by_model else None,
        "break_even_share": break_even(
            target=Decimal("0.15") * one_tier2_call * leads,
            total=per_lead["total"],
            escalated=escalated,
            escalation_usd=escalation_usd,
            model_decided=by_model.count(),
        ),
        "automatic": len(automatic),
        "automatic_caught": sum(1 for row in automatic if hygiene[message_of[quality.key(row)]]),
        "people_flagged": len(flagged_people),
        "people_flagged_categories": sorted({row["category"] for row in flagged_people}),
    }


def break_even(*, target, total, escalated, escalation_usd, model_decided) -> float | None:
    """The escalated share of model-decided leads at which cost reaches `target`, each further
    escalation costing what this run's cost on average: how much room the figure has."""
    if not escalated or not escalation_usd or not model_decided:
        return None
    per_escalation = Decimal(escalation_usd) / escalated
    more = (Decimal(target) - Decimal(total)) / per_escalation
    return float((escalated + more) / model_decided)


def cost_section(ctx) -> list[Row]:
    db = ctx.scratch
    db.fresh()
    params = Parameters()
    copies = ctx.sizes.cost_copies
    calibration, held_out = quality.split(read_labels())
    reaching = quality.replicate([row for row in calibration if quality.reaches_tier1(row)], copies)
    choice = quality.calibrate(reaching, params=params, alpha=quality.ALPHA)
    # No threshold passes (too few messages, or tier 1 too often wrong): escalate everything.
    threshold = f"{choice.threshold:.2f}" if choice else "1.00"
    texts = held_out[: ctx.sizes.cost_messages] if ctx.sizes.cost_messages else held_out
    run = quality.replicate(texts, copies)
    with running(0.0, 0.0, seed=params.seed) as base_url:
        env = db.env(ANTHROPIC_API_KEY="sk-bench", ANTHROPIC_BASE_URL=base_url)
        r = scratch.run_child(
            env,
            "bench.cost:run_labelled",
            items=[[row["file"], row["replica"]] for row in run],
            threshold=threshold,
        )
    held = quality.compare(run, r["decisions"], params=params)
    name = "5 cost"
    return [
        *simulation_rows(name, params, calibration, held_out, texts, copies, ctx.quick),
        *threshold_rows(name, choice, threshold, len(reaching)),
        *quality_rows(name, held),
        *cost_rows(name, r),
        *seed_rows(name, copies),
    ]


def simulation_rows(name, params, calibration, held_out, run, copies, quick) -> list[Row]:
    mix = {d: 0 for d in ("easy", "hard", "ambiguous")}
    for row in calibration + held_out:
        mix[quality.difficulty(row)] = mix.get(quality.difficulty(row), 0) + 1
    rows = []
    for n, tier in ((1, params.tier1), (2, params.tier2)):
        errors = " / ".join(f"{tier.error[d]:.0%}" for d in ("easy", "hard", "ambiguous"))
        rows.append(
            Row(
                name,
                f"simulated model, tier {n} (seed {params.seed}): errs easy / hard / ambiguous "
                "in English; mean confidence right / wrong; accuracy in the set's other "
                "languages as a share of English (published Global-MMLU)",
                f"{errors}; {tier.mean_confidence(True):.2f} / {tier.mean_confidence(False):.2f}; "
                f"{language_range(tier)}",
                "",
                None,
                {"tier": n, **tier.__dict__, "seed": params.seed},
            )
        )
    rows.append(
        Row(
            name,
            "labelled difficulty (easy / hard / ambiguous; none given counts as easy)",
            " / ".join(str(mix[d]) for d in ("easy", "hard", "ambiguous")),
            "",
            None,
            mix,
        )
    )
    rows.append(
        Row(
            name,
            f"split (seeded, by category, difficulty and English or not): calibration / held-out"
            f"{', held-out run: its start (--quick)' if len(run) != len(held_out) else ''}",
            f"{len(calibration)} / {len(held_out)}"
            + (f" ({len(run)} run)" if len(run) != len(held_out) else ""),
            "",
            None,
            {"calibration": len(calibration), "held_out": len(held_out), "run": len(run)},
        )
    )
    rows.append(
        Row(
            name,
            "simulated readings of each message, on both sides of the split (independent draws "
            f"of the same texts{', --quick: fewer' if quick else ''})",
            f"{copies}",
            "",
            None,
            copies,
        )
    )
    return rows


SEEDS = (13, 14, 15, 16, 17)  # the first is the section's own (Parameters().seed, SPLIT_SEED)


def by_seed(copies: int, alpha: float) -> tuple[dict, dict]:
    """The simulated figures (quality.simulate) for each seed of split and draws, and their
    mean over the seeds where a threshold passes."""
    labels = read_labels()
    figures = {}
    for seed in SEEDS:
        calibration, held_out = quality.split(labels, seed=seed)
        figures[seed] = quality.simulate(
            calibration,
            held_out,
            params=replace(Parameters(), seed=seed),
            copies=copies,
            alpha=alpha,
        )
    passed = [f for f in figures.values() if f]
    mean = {key: sum(f[key] for f in passed) / len(passed) for key in passed[0]} if passed else {}
    return figures, mean


def seed_rows(name, copies) -> list[Row]:
    """How much the figures owe to the seed: other splits and draws (both seeded by it), from
    the simulated answers alone (no pipeline); conformal risk control bounds the miss rate's
    mean over such repetitions, not any single one. And the same at alpha 0.05."""

    def shown(f: dict) -> str:
        return (
            f"{f['threshold']:.2f} / {pct(f['escalated'])} / {pct(f['miss_rate'])} / "
            f"{f['accuracy_loss']:.1f}"
        )

    rows = []
    for alpha in (quality.ALPHA, quality.COMPARED_ALPHA):
        figures, mean = by_seed(copies, alpha)
        each = "; ".join(
            f"{seed}: {shown(f) if f else 'none passes'}" for seed, f in figures.items()
        )
        rows.append(
            Row(
                name,
                f"alpha {alpha}, by seed of split and draws, simulated answers only (no "
                "pipeline): threshold / escalated / held-out miss rate / accuracy loss in points",
                f"mean {shown(mean)} ({each})" if mean else each,
                f"mean miss <= {pct(alpha)}, loss <= 1",
                bool(mean) and mean["miss_rate"] <= alpha and mean["accuracy_loss"] <= 1,
                {"by_seed": {str(seed): f for seed, f in figures.items()}, "mean": mean},
            )
        )
    return rows


def language_range(tier) -> str:
    languages = sorted({row["language"] for row in read_labels()} - {"en", ""})
    shares = {lang: tier.language_accuracy.get(lang, tier.other_languages) for lang in languages}
    return ", ".join(f"{lang} {share:.1%}" for lang, share in shares.items())


def threshold_rows(name, choice, threshold, n) -> list[Row]:
    if choice is None:
        return [
            Row(
                name,
                f"threshold: none passes alpha {quality.ALPHA} on {n} calibration messages; "
                "everything escalated",
                threshold,
                "",
                None,
                None,
            )
        ]
    return [
        Row(
            name,
            f"threshold chosen on calibration ({n} reaching tier 1, alpha {quality.ALPHA}): "
            f"misses {pct(choice.risk)}, bound {pct(choice.bound)}",
            f"{threshold} (escalates {pct(choice.escalation_rate)})",
            "",
            None,
            choice.__dict__,
        )
    ]


def quality_rows(name, held) -> list[Row]:
    if not held["n"]:
        return [Row(name, "held-out quality", "no model-decided messages", "", None, None)]
    rows = [
        Row(
            name,
            f"held-out: {held['n']} model-decided messages, escalated",
            pct(held["escalated"]),
            "",
            None,
            held["escalated"],
        ),
        Row(
            name,
            f"held-out miss rate (tier 1 accepted and wrong: {held['misses']})",
            pct(held["miss_rate"]),
            f"<= {pct(quality.ALPHA)} (alpha)",
            at_most(held["miss_rate"], quality.ALPHA),
            held["miss_rate"],
        ),
    ]
    for key, label in (("accuracy", "category accuracy"), ("is_lead_f1", "is_lead F1")):
        figure = held[key]
        rows.append(
            Row(
                name,
                f"held-out {label}, routed / all-tier-2",
                f"{figure['routed']:.1f}% / {figure['all_tier2']:.1f}%",
                "",
                None,
                {"routed": figure["routed"], "all_tier2": figure["all_tier2"]},
            )
        )
        rows.append(
            Row(
                name,
                f"{label} loss against all-tier-2, points [95% paired bootstrap]",
                f"{figure['loss']:.1f} [{figure['low']:.1f}, {figure['high']:.1f}]",
                "<= 1, upper <= 2",
                figure["loss"] <= 1 and figure["high"] <= 2,
                figure,
            )
        )
    return rows


def cost_rows(name, r) -> list[Row]:
    ratio = float(r["ratio"]) if r["ratio"] is not None else None
    dashboard_share = r["dashboard_savings_share"]
    return [
        Row(
            name,
            f"held-out through the pipeline at threshold {r['threshold']}: {r['messages']} "
            f"messages, {r['leads']} leads, {r['calls']} model calls",
            f"{r['leads']} leads",
            "",
            None,
            {"messages": r["messages"], "leads": r["leads"], "calls": r["calls"]},
        ),
        Row(
            name,
            "cost per lead (dashboard mean)",
            usd(Decimal(r["cost_per_lead_usd"])),
            "",
            None,
            r["cost_per_lead_usd"],
        ),
        Row(
            name,
            "all-tier-2 cost per lead (one tier-2 call each)",
            usd(Decimal(r["all_tier2_per_lead_usd"])),
            "",
            None,
            r["all_tier2_per_lead_usd"],
        ),
        Row(
            name,
            "cost per lead as a share of all-tier-2",
            pct(ratio) if ratio is not None else "-",
            "<= 15%",
            at_most(ratio, 0.15) if ratio is not None else None,
            ratio,
        ),
        Row(
            name,
            "the same without shadow audits (quality sampling by tier 2, in a batch)",
            pct(float(r["ratio_without_audits"])) if ratio is not None else "-",
            "",
            None,
            r["ratio_without_audits"],
        ),
        Row(
            name,
            "savings against all-tier-2",
            pct(1 - ratio) if ratio is not None else "-",
            "",
            None,
            1 - ratio if ratio is not None else None,
        ),
        Row(
            name,
            "dashboard's savings (the same calls' tokens at tier-2 prices)",
            f"{dashboard_share}%" if dashboard_share is not None else "-",
            "",
            None,
            dashboard_share,
        ),
        Row(
            name,
            f"shadow-audit spend, in the cost above ({r['shadow_calls']} audits drawn, "
            f"{r['shadow_expected']:.1f} expected)",
            usd(Decimal(r["shadow_usd"])),
            "",
            None,
            r["shadow_usd"],
        ),
        Row(
            name,
            f"decided free (gate {r['gate_filtered']}, rules/local {r['rules_or_local']})",
            pct(r["free_share"]),
            "",
            None,
            r["free_share"],
        ),
        Row(
            name,
            "escalated (of model-decided leads)",
            pct(r["escalated_share"] or 0),
            "",
            None,
            r["escalated_share"],
        ),
        Row(
            name,
            "escalated share at which the cost share would reach 15% (this run's costs)",
            pct(r["break_even_share"]) if r["break_even_share"] is not None else "-",
            "",
            None,
            r["break_even_share"],
        ),
        Row(
            name,
            "gate: automatic mail caught / labelled automatic",
            f"{r['automatic_caught']} / {r['automatic']}",
            "",
            None,
            {"caught": r["automatic_caught"], "automatic": r["automatic"]},
        ),
        Row(
            name,
            "gate: mail from people flagged (list headers)",
            f"{r['people_flagged']} ({', '.join(r['people_flagged_categories']) or '-'})",
            "",
            None,
            r["people_flagged"],
        ),
    ]
