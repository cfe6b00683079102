"""The claims atlas: per claim, where in the plausible space it holds, by how much, and when it fails.

``DIR/claims.csv`` has one row per claim: the share of the space's points at
which it holds, the effect over the space (mean with its 95 % interval, 5th and
95th percentile across points) and the typical 95 % interval of a point's
effect, the one-sided p-value that the mean effect over the space passes the
minimum effect (``p_value``) and the same adjusted for testing every claim of
the run at once (``p_holm``; Holm 1979), the share of points
where it clearly holds or fails (the interval wholly beyond or short of the
minimum effect), and the PRIM box where it fails with coverage and density.
``DIR/claims.md`` says the same in words with one figure per claim
(``DIR/figures/<claim>.png``: the points on the two parameters that matter
most, coloured by verdict, with the failure box). ``DIR/effects.csv`` holds
every point's paired effect.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.claims.discovery import Box, conditions, failure_box, number
from sim.claims.evaluate import EFFECTS, RECORD, effects
from sim.claims.registry import Claim, describe_outcome
from sim.claims.space import Space
from sim.palette import OKABE_ITO
from sim.runner import write_atomic

HOLDS, FAILS = OKABE_ITO[2], OKABE_ITO[4]  # bluish green, vermillion


@dataclass
class Atlas:
    """The atlas of a claims run: the per-claim table, every point's effect, the failure boxes and figures."""

    table: pd.DataFrame
    effects: pd.DataFrame
    boxes: dict[str, Box | None]
    figures: dict[str, Path]
    folder: Path


def mean_effect(claim: type[Claim], effects: pd.Series) -> tuple[float, float, float]:
    """The 95 % interval of the mean effect over the space's points and the one-sided p-value that it passes
    the minimum effect in the claim's direction (Student's t across points)."""
    from scipy import stats

    eff = effects.dropna().to_numpy(float)
    if len(eff) < 2:
        return np.nan, np.nan, np.nan
    se = eff.std(ddof=1) / np.sqrt(len(eff))
    half = stats.t.ppf(0.975, len(eff) - 1) * se
    margin = claim.sign() * eff.mean() - claim.min_effect
    if se == 0:
        p = 0.0 if margin > 0 else 1.0
    else:
        p = float(stats.t.sf(margin / se, len(eff) - 1))
    return float(eff.mean() - half), float(eff.mean() + half), p


def holm(p_values: pd.Series) -> pd.Series:
    """Holm's step-down adjustment of p-values for testing them together (Holm 1979); NaN stays NaN."""
    p = p_values.astype(float)
    ok = p.dropna().sort_values(kind="stable")
    m = len(ok)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * ok.to_numpy()))
    return pd.Series(adjusted, index=ok.index).reindex(p.index)


def why_it_fails(claim: type[Claim], effects: pd.Series) -> str:
    """Why a claim that fails everywhere fails: its effect goes the other way, or the claimed way but too little."""
    if not len(effects):
        return ""
    signed = claim.sign() * float(effects.mean())
    if signed > 0:
        return ": the effect goes the claimed way but stays below the minimum that counts"
    return ": the effect goes the other way" if signed < 0 else ""


def summarise(claim: type[Claim], rows: pd.DataFrame, box: Box | None, space: Space) -> dict[str, Any]:
    """One row of ``claims.csv`` (``p_holm`` is added over all the claims of a run by :func:`build_atlas`)."""
    eff = rows["effect"].dropna()
    ci_low, ci_high, p_value = mean_effect(claim, rows["effect"])
    half = ((rows["ci_high"] - rows["ci_low"]) / 2).dropna()
    holds = float(rows["holds"].mean())
    if box is None:
        fails_when = "never fails" if holds == 1 else "fails at scattered points; no box is dense enough"
    elif not box.limits:
        fails_when = "fails throughout the plausible space" + why_it_fails(claim, eff)
    else:
        fails_when = f"fails when {conditions(box, space.bounds, space.label)}"
    return {
        "claim": claim.name,
        "title": claim.title,
        "sceptic": claim.sceptic,
        "points": len(rows),
        "replications": int(rows["n"].max()) if len(rows) else 0,
        "share_holds": holds,
        "share_clearly_holds": float((rows["verdict"] == "holds").mean()),
        "share_clearly_fails": float((rows["verdict"] == "fails").mean()),
        "effect_mean": float(eff.mean()) if len(eff) else np.nan,
        "effect_ci_low": ci_low,
        "effect_ci_high": ci_high,
        "p_value": p_value,
        "effect_p05": float(eff.quantile(0.05)) if len(eff) else np.nan,
        "effect_p95": float(eff.quantile(0.95)) if len(eff) else np.nan,
        "ci_halfwidth_median": float(half.median()) if len(half) else np.nan,
        "min_effect": claim.min_effect,
        "direction": claim.direction,
        "fails_when": fails_when,
        "box_coverage": box.coverage if box else np.nan,
        "box_density": box.density if box else np.nan,
        "box_mass": box.mass if box else np.nan,
        "box_limits": json.dumps({k: [round(v[0], 6), round(v[1], 6)] for k, v in box.limits.items()}) if box else "",
    }


def needed(direction: str, min_effect: float) -> str:
    """The effect a claim needs at a point: '> +0.02' or '< -0.02' (treatment minus control)."""
    return f"> {min_effect:+.3g}" if direction == "higher" else f"< {-min_effect:+.3g}"


def axes(rows: pd.DataFrame, box: Box | None, names: list[str]) -> list[str]:
    """The two parameters a claim's figure shows: the box's, then those whose values track the effect most."""
    chosen = list(box.limits)[:2] if box else []
    ranked = sorted(names, key=lambda n: -abs(_spearman(rows[n], rows["effect"])))
    return (chosen + [n for n in ranked if n not in chosen])[:2]


def _spearman(a: pd.Series, b: pd.Series) -> float:
    ok = a.notna() & b.notna()
    if ok.sum() < 3 or a[ok].nunique() < 2 or b[ok].nunique() < 2:
        return 0.0
    return float(a[ok].rank().corr(b[ok].rank()))


def figure(claim: type[Claim], rows: pd.DataFrame, box: Box | None, space: Space, path: Path) -> Path:
    """The points on two parameters, filled where the claim holds and hollow where it fails, with the box."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    x_name, y_name = axes(rows, box, list(space.bounds))
    fig, ax = plt.subplots(figsize=(6.0, 4.6), dpi=110)
    ok = rows["holds"].astype(bool)
    ax.scatter(rows.loc[ok, x_name], rows.loc[ok, y_name], s=28, color=HOLDS, label="holds", zorder=3)
    ax.scatter(
        rows.loc[~ok, x_name], rows.loc[~ok, y_name], s=28, facecolors="none", edgecolors=FAILS, lw=1.4,
        label="fails", zorder=3,
    )  # fmt: skip
    if box is not None:
        (x0, x1), (y0, y1) = (box.limits.get(n, space.bounds[n]) for n in (x_name, y_name))
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ls="--", lw=1.5, color=OKABE_ITO[7]))
        ax.plot([], [], ls="--", color=OKABE_ITO[7], label=f"fails here (coverage {box.coverage:.0%})")
    for name, set_lim in ((x_name, ax.set_xlim), (y_name, ax.set_ylim)):
        low, high = space.bounds[name]
        set_lim(low - 0.03 * (high - low), high + 0.03 * (high - low))  # points on the edge stay whole
    ax.set_xlabel(f"{space.label(x_name)}\n{x_name}", fontsize=9)
    ax.set_ylabel(f"{space.label(y_name)}\n{y_name}", fontsize=9)
    ax.set_title(f"{claim.title}\nholds at {rows['holds'].mean():.0%} of {len(rows)} points", fontsize=9)
    ax.legend(fontsize=8, loc="best", framealpha=0.85)
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, format="png"))
    plt.close(fig)
    return path


def build_atlas(claims: list[type[Claim]], space: Space, out: str | Path) -> Atlas:
    """Effects, scenario discovery, ``claims.csv``, ``claims.md`` and the figures for the claims run in ``out``."""
    out = Path(out)
    table = effects(claims, out)
    write_atomic(out / EFFECTS, lambda p: table.to_csv(p, index=False))
    boxes: dict[str, Box | None] = {}
    figures: dict[str, Path] = {}
    rows_out = []
    (out / "figures").mkdir(exist_ok=True)
    for claim in claims:
        rows = table[table["claim"] == claim.name].reset_index(drop=True)
        fails = ~rows["holds"].astype(bool).to_numpy()
        boxes[claim.name] = failure_box(
            rows, fails, space.bounds, density=space.spec.density, mass_min=space.spec.mass_min
        )
        rows_out.append(summarise(claim, rows, boxes[claim.name], space))
        figures[claim.name] = figure(claim, rows, boxes[claim.name], space, out / "figures" / f"{claim.name}.png")
    summary = pd.DataFrame(rows_out)
    summary.insert(summary.columns.get_loc("p_value") + 1, "p_holm", holm(summary["p_value"]))
    write_atomic(out / "claims.csv", lambda p: summary.to_csv(p, index=False))
    write_atomic(out / "claims.md", lambda p: p.write_text(markdown(claims, summary, space, out), encoding="utf-8"))
    return Atlas(summary, table, boxes, figures, out)


def markdown(claims: list[type[Claim]], summary: pd.DataFrame, space: Space, out: Path) -> str:
    """The atlas in words, for a facilitator to read and a researcher to cite."""
    record = json.loads((out / RECORD).read_text())
    spec = space.spec
    lines = [
        "# Where the essays' claims hold: the claims atlas",
        "",
        f"Each claim is a comparison of two arms for the focal firm on the same simulated customers (common random "
        f"numbers), tested at {spec.samples} points of a Latin hypercube over {len(space.bounds)} uncertain "
        f"parameters with {spec.replications} replication(s) per arm and point; {spec.customers} customers, "
        f"{record['months']} months, master seed {spec.seed}, base scenario `{spec.scenario}`. A claim *holds* at a "
        "point when its paired effect, averaged over replications, passes the minimum effect in the claim's "
        "direction. The conditions under which it fails come from PRIM (EMA Workbench; Bryant & Lempert 2010): "
        "*coverage* is the share of all failures inside the box, *density* the share of the box's points that fail.",
        "",
        f"Uncertainties from `{space.source}`" + (f", narrowed by the posterior `{space.posterior}`" if space.posterior else "")
        + ":",
        "",
        "| parameter | meaning | default | range |",
        "| --- | --- | --- | --- |",
    ]  # fmt: skip
    for name, (low, high) in space.bounds.items():
        lines.append(f"| `{name}` | {space.label(name)} | {space.defaults[name]} | {number(low)} - {number(high)} |")
    if space.fixed:
        held = ", ".join(f"`{k}` = {number(v)}" for k, v in space.fixed.items())
        lines += ["", f"Held at the posterior's weighted median: {held}."]
    lines += [
        "",
        "| claim | holds at | effect over the space (5-95 %) | needed at a point | fails when |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in summary.itertuples():
        lines.append(
            f"| {row.title} | {row.share_holds:.0%} | {row.effect_mean:+.3g} ({row.effect_p05:+.3g} to "
            f"{row.effect_p95:+.3g}) | {needed(row.direction, row.min_effect)} | "
            f"{row.fails_when} |"
        )
    for claim, row in zip(claims, summary.itertuples(), strict=True):
        lines += [
            "",
            f"## {claim.title}" + (" (a sceptic's claim)" if claim.sceptic else ""),
            "",
            f"> „{claim.german}“ — `{claim.seed}`",
            ">",
            f"> *{claim.english}*",
            "",
            f"**Compared**: {claim.statement()}. Outcome: {describe_outcome(claim)}.",
            "",
            f"**Holds** at {row.share_holds:.0%} of the points (clearly, with its 95 % interval beyond the minimum "
            f"effect: {row.share_clearly_holds:.0%}; clearly fails: {row.share_clearly_fails:.0%}). Effect "
            f"(treatment minus control) {row.effect_mean:+.3g} on average, {row.effect_p05:+.3g} to "
            f"{row.effect_p95:+.3g} across the space; a point's 95 % interval is typically "
            f"±{row.ci_halfwidth_median:.2g}. The mean effect over the space is {row.effect_mean:+.3g} (95 % "
            f"interval {row.effect_ci_low:+.3g} to {row.effect_ci_high:+.3g}); that it passes the minimum effect: "
            f"one-sided p = {row.p_value:.2g}, {row.p_holm:.2g} adjusted for the {len(summary)} claims of this run "
            "(Holm).",
            "",
            f"**{row.fails_when[0].upper() + row.fails_when[1:]}**"
            + (
                f" (this box holds {row.box_coverage:.0%} of the failures; {row.box_density:.0%} of its points fail)."
                if not np.isnan(row.box_coverage)
                else "."
            ),
            "",
            f"![{claim.name}](figures/{claim.name}.png)",
        ]
    return "\n".join(lines) + "\n"
