import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Write your own claim")


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # Write your own claim

    Every number theorylab reports comes from a **claim**: one checkable statement, a check that tries it on
    cases, and a **negative control**, a deliberately wrong variant that the *same* check must reject. A claim
    carries

    * a **statement**, in words and formulas, with its **source** (authors, title, venue, theorem);
    * a **check** `check(ctx)`: it draws its cases from `ctx.rng` (the claim's own random stream, a child of the
      run seed), adds the **slack** of each case to a `Tally` (how far the case is from failing, in the claim's own
      units, positive = satisfied; for a bound $\mathrm{lhs} \le \mathrm{rhs}$ it is $\mathrm{rhs} - \mathrm{lhs}$)
      and returns the `Outcome`: the number of cases, the **worst slack** and its case. The engine calls it
      twice on the same stream, once with `ctx.control = False` (the statement) and once with
      `ctx.control = True` (the negative control);
    * a **tolerance** with its reason (float rounding, a quadrature error, a standard error): the statement
      holds when its worst slack is $\ge -\text{tolerance}$;
    * a **decisive threshold** (`control_threshold`, default $10 \times$ tolerance) with its reason: how far
      below zero the control's worst *finite* slack must lie for the control to fail *decisively*.

    `evaluate(claim, budget, seed)` runs both and judges them (`judge_control` in `theorylab.engine.runner`),
    in this order:

    | verdict | when |
    |---|---|
    | **FAIL** | the statement's worst slack is $< -\text{tolerance}$ (whatever the control did) |
    | **BROKEN** | the statement held, but so did the control (its worst slack $\ge -\text{tolerance}$): this check could not fail |
    | **WEAK** | the statement held and the control failed, but not decisively: its worst finite slack is $> -\text{threshold}$ (it failed by too little, or only through NaN/$\infty$ cases), or it ran other cases than the statement (another number of cases or another case fingerprint) without the claim declaring why (`control_cases`), or the threshold is 0 |
    | **PASS** | the statement held and the control failed decisively, on the statement's own cases (**FINDING** for a claim of kind `finding`) |
    | **ERROR** | the check raised |

    The control's **margin** is $-(\text{its worst finite slack}) / \text{threshold}$; decisive needs a margin
    $\ge 1$. A NaN slack counts as a failed case (slack $-\infty$), never as a silent pass.

    ## The example: Pinsker's inequality

    For distributions $p, q$ on $k$ points, with total variation $\mathrm{TV}(p, q) = \tfrac12 \sum_i |p_i - q_i|$
    and $\mathrm{KL}(p \,\|\, q) = \sum_i p_i \log(p_i / q_i)$ in nats,

    $$\mathrm{TV}(p, q) \;\le\; \sqrt{\mathrm{KL}(p \,\|\, q) / 2}.$$

    The constant is sharp: for $p = (\tfrac12, \tfrac12)$ and $q = (\tfrac12 + \delta, \tfrac12 - \delta)$,
    $\mathrm{KL} = 2\delta^2 + O(\delta^4)$, so $\sqrt{\mathrm{KL}/2} / \mathrm{TV} \to 1$ as $\delta \to 0$ and
    $\mathrm{TV} \le c\,\sqrt{\mathrm{KL}/2}$ is false for every $c < 1$. The check below tries random pairs
    $p, q \sim \mathrm{Dirichlet}(1, \dots, 1)$ for $k = 2, 3, 5, 10$ and binary near-ties $p = (a, 1 - a)$,
    $q = p + \delta\,(1, -1)$ with $a \in [0.4, 0.6]$, $|\delta| \le 0.25$, where the bound is nearly attained.
    Slack: $\sqrt{\mathrm{KL}/2} - \mathrm{TV}$, in total-variation units; tolerance $10^{-12}$ (float64 rounding).
    Negative control: the same bound with the constant halved, $\mathrm{TV} \le \tfrac12 \sqrt{\mathrm{KL}/2}$,
    false on every near-tie; it must miss by at least $0.01$ (the decisive threshold) somewhere.

    The widgets break either side. A broken statement (constant 0.9, the root dropped, the inequality reversed)
    is false on the near-ties: **FAIL**, while the control still fails. A control made true (constant 2):
    **BROKEN**. A control that is false but only barely, constant 0.99: the least KL at a given TV is reached by
    two-point distributions (merge the points where $p > q$ and where $p \le q$: TV is unchanged and KL can only
    drop), and a search over those gives $0.99\sqrt{\mathrm{KL}/2} - \mathrm{TV} \ge -0.0012$, so it can never
    reach the threshold: **WEAK** (it does fail: most near-ties with $a$ close to $\tfrac12$ break it). A control that draws its own cases: **WEAK** too (its fingerprint differs).

    *References:* A. B. Tsybakov, *Introduction to Nonparametric Estimation*, Springer 2009, Lemma 2.5
    (Pinsker's inequality). M. S. Pinsker, *Information and Information Stability of Random Variables and
    Processes*, Holden-Day 1964, proved it with a larger constant; the constant $\tfrac12$ under the root is due
    to I. Csiszár (Studia Sci. Math. Hungar. 2, 1967), S. Kullback (IEEE Trans. Inform. Theory 13, 1967) and
    J. H. B. Kemperman (1969).

    In a verification module the claim is declared with the decorator, which validates its fields and
    registers it for `theorylab verify`:

    ```python
    @claim("pinsker/tv-kl", title="Pinsker's inequality", source=SRC.at("Lemma 2.5"),
           statement="TV(p, q) ≤ √(KL(p‖q)/2)", status="VERIFIED", kind="bound",
           tolerance=1e-12, tolerance_reason="...", control_threshold=0.01, control_threshold_reason="...",
           negative_control="TV(p, q) ≤ ½·√(KL(p‖q)/2)")
    def pinsker(ctx): ...
    ```

    Here the cell builds the same record with `Claim(...)` directly: every move of a widget rebuilds the claim,
    and a registered notebook claim would join the registry that `theorylab.run("*")` runs.
    """)
    return


@app.cell
def _():
    import marimo as mo
    import numpy as np
    from scipy import special

    from theorylab.engine import Claim, Source, claim_seed_sequence, evaluate, new_figure

    return Claim, Source, claim_seed_sequence, evaluate, mo, new_figure, np, special


@app.cell
def _(np):
    def pinsker_cases(rng, n_pairs):
        """The check's cases, drawn from ``rng``: (family, p, q) with p, q of shape (n_pairs, k) per family."""
        families = []
        for k in (2, 3, 5, 10):
            p = rng.dirichlet(np.ones(k), size=n_pairs)
            q = rng.dirichlet(np.ones(k), size=n_pairs)
            families.append((f"Dirichlet, k = {k}", p, q))
        a = rng.uniform(0.4, 0.6, n_pairs)
        d = rng.uniform(-0.25, 0.25, n_pairs)
        p = np.stack([a, 1 - a], axis=1)
        q = np.stack([a + d, 1 - a - d], axis=1)
        families.append(("binary near-tie", p, q))
        return families

    return (pinsker_cases,)


@app.cell
def _(mo):
    statements = {
        "Pinsker (true): TV ≤ √(KL/2)": "pinsker",
        "broken: constant 0.9, TV ≤ 0.9·√(KL/2)": "c0.9",
        "broken: root dropped, TV ≤ KL/2": "noroot",
        "broken: reversed, √(KL/2) ≤ TV": "reversed",
    }
    controls = {
        "constant ½: TV ≤ ½·√(KL/2) (decisive)": "half",
        "constant 0.99: wrong by too little (WEAK)": "c0.99",
        "constant ½ on fresh cases (WEAK)": "fresh",
        "constant 2: a true bound (BROKEN)": "two",
    }
    statement_choice = mo.ui.dropdown(options=statements, value="Pinsker (true): TV ≤ √(KL/2)",
                                      label="break the statement")
    control_choice = mo.ui.dropdown(options=controls, value="constant ½: TV ≤ ½·√(KL/2) (decisive)",
                                    label="weaken the control")
    seed = mo.ui.number(start=0, stop=10_000, value=0, label="run seed")
    n_pairs = mo.ui.slider(20, 1000, step=10, value=200, show_value=True, label="random pairs per family")
    mo.vstack([mo.hstack([statement_choice, control_choice], justify="start"),
               mo.hstack([seed, n_pairs], justify="start")])
    return control_choice, n_pairs, seed, statement_choice


@app.cell
def _(np):
    # each variant: (statement text, slack(tv, kl), boundary TV = b(x) at x = √(KL/2) for the plot)
    STATEMENT_VARIANTS = {
        "pinsker": ("TV(p, q) ≤ √(KL(p‖q)/2)", lambda tv, kl: np.sqrt(kl / 2) - tv, lambda x: x),
        "c0.9": ("TV(p, q) ≤ 0.9·√(KL(p‖q)/2)", lambda tv, kl: 0.9 * np.sqrt(kl / 2) - tv, lambda x: 0.9 * x),
        "noroot": ("TV(p, q) ≤ KL(p‖q)/2", lambda tv, kl: kl / 2 - tv, lambda x: x * x),
        "reversed": ("√(KL(p‖q)/2) ≤ TV(p, q)", lambda tv, kl: tv - np.sqrt(kl / 2), lambda x: x),
    }
    # each control: (text, constant c in TV ≤ c·√(KL/2), whether it draws fresh cases of its own)
    CONTROL_VARIANTS = {
        "half": ("TV(p, q) ≤ ½·√(KL(p‖q)/2)", 0.5, False),
        "c0.99": ("TV(p, q) ≤ 0.99·√(KL(p‖q)/2)", 0.99, False),
        "fresh": ("TV(p, q) ≤ ½·√(KL(p‖q)/2), on cases drawn after the statement's", 0.5, True),
        "two": ("TV(p, q) ≤ 2·√(KL(p‖q)/2)", 2.0, False),
    }
    return CONTROL_VARIANTS, STATEMENT_VARIANTS


@app.cell
def _(np, special):
    def tv_kl(p, q):
        """Total variation and KL(p‖q) (nats) of matched rows; KL clipped at 0 against rounding (Gibbs: KL ≥ 0)."""
        tv = 0.5 * np.abs(p - q).sum(axis=1)
        kl = np.maximum(special.rel_entr(p, q).sum(axis=1), 0.0)
        return tv, kl

    def case_slacks(families, slack):
        """Per-case slacks ``slack(tv, kl)`` of every family, concatenated in the check's order."""
        return np.concatenate([slack(*tv_kl(p, q)) for _, p, q in families])

    return case_slacks, tv_kl


@app.cell
def _(
    CONTROL_VARIANTS,
    Claim,
    STATEMENT_VARIANTS,
    Source,
    control_choice,
    n_pairs,
    np,
    pinsker_cases,
    statement_choice,
    tv_kl,
):
    CLAIM_ID = "notebook/pinsker-tv-kl"
    statement_text, statement_slack, statement_boundary = STATEMENT_VARIANTS[statement_choice.value]
    control_text, control_constant, control_fresh = CONTROL_VARIANTS[control_choice.value]
    pairs_per_family = int(n_pairs.value)

    def pinsker_check(ctx):
        """Every case's slack: right side minus left side of the bound (positive: the case satisfies it)."""
        tally = ctx.tally()
        if ctx.control and control_fresh:
            ctx.rng.random()  # one extra draw: every case after it differs from the statement's
        for family, p, q in pinsker_cases(ctx.rng, pairs_per_family):
            tv, kl = tv_kl(p, q)
            if ctx.control:
                slack = control_constant * np.sqrt(kl / 2) - tv
            else:
                slack = statement_slack(tv, kl)
            # p, q identify the cases (they enter the fingerprint); tv, kl are only reported at the worst case
            tally.add(slack, p=p, q=q, family=family, measured={"tv": tv, "kl": kl})
        return tally.outcome()

    own_claim = Claim(
        id=CLAIM_ID, title="Pinsker's inequality",
        source=Source("A. B. Tsybakov", "Introduction to Nonparametric Estimation", "Springer 2009", "Lemma 2.5"),
        statement=statement_text, status="VERIFIED", kind="bound", check=pinsker_check,
        negative_control=control_text,
        tolerance=1e-12,
        tolerance_reason="float64 rounding of TV and √(KL/2), both of size at most a few units",
        control_threshold=0.01,
        control_threshold_reason="TV lies in [0, 1]: a wrong constant must be caught missing by 0.01 in TV, "
                                 "10¹⁰ × the rounding tolerance",
    )
    return (CLAIM_ID, control_constant, control_fresh, control_text, own_claim, pairs_per_family,
            pinsker_check, statement_boundary, statement_slack, statement_text)


@app.cell
def _(evaluate, own_claim, seed):
    evidence = evaluate(own_claim, "quick", int(seed.value))
    verdict = evidence.verdict
    statement_worst_slack = evidence.worst_slack
    control_worst_slack = evidence.negative_control_worst_slack
    control_margin = evidence.negative_control_margin
    n_cases = evidence.cases
    evidence
    return (control_margin, control_worst_slack, evidence, n_cases, statement_worst_slack, verdict)


@app.cell
def _(evidence, mo):
    _why = {
        "PASS": "the statement held on every case (worst slack ≥ −tolerance) and the control failed by at least "
                "the threshold on the same cases (margin ≥ 1).",
        "FAIL": "the statement's worst slack is below −tolerance: the statement is false on a case (see its worst "
                "case). The control's verdict does not matter.",
        "BROKEN": "the statement held, but so did the negative control: this check could not have failed.",
        "WEAK": "the statement held and the control failed, but not decisively: "
                + (evidence.negative_control_note or "see the control note") + ".",
        "ERROR": "the check raised an exception (see the error row).",
    }.get(evidence.verdict, "")
    _kind = {"PASS": "success", "FAIL": "danger", "BROKEN": "danger", "WEAK": "warn"}.get(evidence.verdict, "neutral")
    mo.callout(mo.md(f"### Verdict: **{evidence.verdict}**\n\n{_why}\n\n"
                     f"Statement's worst slack {evidence.worst_slack:.3g} (tolerance {evidence.tolerance:g}); "
                     f"control: {evidence.negative_control_verdict}, worst slack "
                     f"{evidence.negative_control_worst_slack:.3g}, margin ×{evidence.negative_control_margin:.3g} "
                     f"(decisive at ≥ 1)."), kind=_kind)
    return


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## The cases the check saw

    The check draws from `np.random.default_rng(claim_seed_sequence(seed, claim_id))`, so the same call here
    regenerates its cases exactly: the smallest per-case slack below is the evidence's worst slack. Left: every
    pair, with the boundary of the statement and of the control (a pair satisfies a bound $\mathrm{TV} \le b$ when
    it lies below its line; for the reversed statement, above). Right: the per-case slacks, sorted; a case
    below zero violates its bound, the control must reach $-0.01$ (its threshold).
    """)
    return


@app.cell
def _(
    CLAIM_ID,
    case_slacks,
    claim_seed_sequence,
    control_constant,
    new_figure,
    np,
    pairs_per_family,
    pinsker_cases,
    seed,
    statement_boundary,
    statement_slack,
    tv_kl,
):
    _rng = np.random.default_rng(claim_seed_sequence(int(seed.value), CLAIM_ID))
    _families = pinsker_cases(_rng, pairs_per_family)
    _c = control_constant
    statement_slacks = case_slacks(_families, statement_slack)
    control_slacks = case_slacks(_families, lambda tv, kl: _c * np.sqrt(kl / 2) - tv)
    _tv_kl = [tv_kl(p, q) for _, p, q in _families]
    _root = np.concatenate([np.sqrt(kl / 2) for _, kl in _tv_kl])
    _tv = np.concatenate([tv for tv, _ in _tv_kl])
    ratio_max = float(np.max(_tv[_root > 0] / _root[_root > 0]))  # max TV / √(KL/2): Pinsker says ≤ 1, sharp

    _fig, (_a0, _a1) = new_figure(1, 2, width=11.0, height=4.0)
    for _i, ((_name, _, _), (_t, _k)) in enumerate(zip(_families, _tv_kl)):
        _a0.scatter(np.sqrt(_k / 2), _t, s=6, alpha=0.6, color=("C0", "C1", "C2", "C4", "C9")[_i], label=_name)
    _x = np.geomspace(max(1e-4, float(_root[_root > 0].min())), float(_root.max()), 200)
    _a0.plot(_x, statement_boundary(_x), color="k", label="statement's boundary")
    _a0.plot(_x, _c * _x, color="C3", ls="--", label=rf"control: $\mathrm{{TV}} = {_c:g}\,\sqrt{{\mathrm{{KL}}/2}}$")
    _a0.set_xscale("log")
    _a0.set_yscale("log")
    _a0.set_ylim(max(1e-4, 0.5 * float(_tv[_tv > 0].min())), 1.5)
    _a0.set_xlabel(r"$\sqrt{\mathrm{KL}(p\,\|\,q)/2}$")
    _a0.set_ylabel(r"$\mathrm{TV}(p, q)$")
    _a0.set_title("every case of the check")
    _a0.legend(loc="upper left", markerscale=2)
    _ranks = np.arange(statement_slacks.size)
    _a1.plot(_ranks, np.sort(statement_slacks), color="k", label="statement")
    _a1.plot(_ranks, np.sort(control_slacks), color="C3", ls="--", label="negative control")
    _a1.axhline(0.0, color="k", lw=0.8)
    _a1.axhline(-0.01, color="C3", lw=0.8, ls=":", label="decisive threshold $-0.01$")
    _a1.set_yscale("symlog", linthresh=1e-3)
    _a1.set_xlabel("case (sorted by slack)")
    _a1.set_ylabel("slack")
    _a1.set_title(f"per-case slacks ({statement_slacks.size} cases)")
    _a1.legend(loc="center left", bbox_to_anchor=(0.02, 0.32))
    _fig
    return control_slacks, ratio_max, statement_slacks


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    ## Every seed

    A claim must hold at every seed, not at a lucky one (`theorylab verify --seeds 1:4` runs the catalogue at
    several). The same claim, as the widgets above set it, at seeds 0, 1 and 2:
    """)
    return


@app.cell
def _(evaluate, mo, own_claim):
    _runs = {s: evaluate(own_claim, "quick", s) for s in (0, 1, 2)}
    seed_verdicts = {s: ev.verdict for s, ev in _runs.items()}
    seeds_agree = len(set(seed_verdicts.values())) == 1
    _rows = "\n".join(f"| {s} | **{ev.verdict}** | {ev.worst_slack:.3g} | {ev.negative_control_verdict} | "
                      f"{ev.negative_control_margin:.3g} |" for s, ev in _runs.items())
    mo.vstack([
        mo.md("| seed | verdict | statement's worst slack | control | control margin |\n|---|---|---|---|---|\n"
              + _rows),
        mo.callout(mo.md(f"The three seeds {'agree' if seeds_agree else '**disagree**'}: "
                         + ", ".join(f"seed {s}: {v}" for s, v in seed_verdicts.items()) + "."),
                   kind="success" if seeds_agree else "warn"),
    ])
    return seed_verdicts, seeds_agree


if __name__ == "__main__":
    app.run()
