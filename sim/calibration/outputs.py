"""What a calibration writes: posterior, accepted scenario, diagnostics and the posterior-predictive check.

The accepted parameter set is the **weighted posterior mean** of the last generation: it is the Bayes
estimate under squared loss, and unlike the best single particle (whose small distance is partly luck of
its one simulation) or a mode (which ABC particles estimate poorly) it does not hang on one noisy run.
Because a mean can fall between modes of a curved posterior, the predictive check simulates the accepted
set itself, beside posterior draws, so a reader sees whether it reproduces the targets.
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.calibration.run import _write_text  # noqa: E402
from sim.calibration.simulate import Simulator  # noqa: E402
from sim.calibration.spec import Calibration, resolve, scenario_with  # noqa: E402
from sim.calibration.statistics import STATISTICS  # noqa: E402
from sim.calibration.toml import dumps  # noqa: E402
from sim.experiments.spec import is_integer  # noqa: E402
from sim.runner import write_atomic  # noqa: E402
from sim.scenario import (
    Scenario,  # noqa: E402
    resolve_scenario,  # noqa: E402
)

PREDICTIVE_SALT = 1  # simulations of the check get seeds of their own, apart from those of the calibration


def posterior_table(history, t: int | None = None) -> pd.DataFrame:
    """Particles of generation ``t`` (default: the last): parameters, weight, distance, statistics."""
    t = history.max_t if t is None else t
    rows = []
    for p in history.get_population(t).particles:
        row: dict[str, Any] = dict(p.parameter)
        row.update(weight=p.weight, distance=p.distance)
        row.update({f"stat.{k}": float(v) for k, v in p.sum_stat.items()})
        rows.append(row)
    table = pd.DataFrame(rows)
    table["weight"] /= table["weight"].sum()
    return table


def diagnostics(history) -> pd.DataFrame:
    """Per generation: threshold epsilon, simulations, accepted particles, acceptance rate, effective sample size."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].reset_index(drop=True)
    ess = []
    for t in pops["t"]:
        w = history.get_weighted_distances(t=int(t))["w"].to_numpy()
        ess.append(float(w.sum() ** 2 / (w**2).sum()))
    return pd.DataFrame(
        {
            "generation": pops["t"].astype(int),
            "epsilon": pops["epsilon"].astype(float),
            "simulations": pops["samples"].astype(int),
            "accepted": pops["particles"].astype(int),
            "acceptance": pops["particles"] / pops["samples"],
            "ess": ess,
            "seconds": pops.get("wall_time", pd.Series(np.nan, index=pops.index)).astype(float),
        }
    )


def accepted_values(cal: Calibration, posterior: pd.DataFrame) -> dict[str, float]:
    """The weighted posterior mean of every calibrated parameter (whole numbers rounded)."""
    w = posterior["weight"].to_numpy()
    out = {}
    for name in cal.parameters:
        value = float(np.sum(posterior[name].to_numpy() * w))
        out[name] = float(round(value)) if is_integer(name) else value
    return out


def accepted_scenario(cal: Calibration, values: dict[str, float]) -> Scenario:
    """The base scenario as written for ``crsim run`` (its own horizon and market size), with calibrated values."""
    base = resolve_scenario(cal.scenario)
    data = scenario_with(base, values)
    data["name"] = f"{base.name}_calibrated"
    data["description"] = f"{base.description} Calibrated by '{cal.name}' (seed {cal.seed}): posterior mean.".strip()
    return Scenario.model_validate(data)


def _predict(simulator: Simulator, values: dict[str, float], replications: int) -> list[dict[str, float]]:
    return simulator.run(values, replications)


def predictive(cal: Calibration, posterior: pd.DataFrame, values: dict[str, float], executor: Executor) -> pd.DataFrame:
    """Statistics simulated at posterior draws (``source`` = 'posterior') and at the accepted set ('accepted')."""
    simulator = Simulator(cal, resolve(cal), salt=PREDICTIVE_SALT)
    rng = np.random.default_rng(np.random.SeedSequence([cal.seed, PREDICTIVE_SALT]))
    picks = rng.choice(len(posterior), size=cal.check.draws, p=posterior["weight"].to_numpy())
    jobs = []
    for draw, row in enumerate(picks):
        point = {name: float(posterior[name].iloc[row]) for name in cal.parameters}
        jobs.append(("posterior", draw, executor.submit(_predict, simulator, point, 1)))
    jobs.append(("accepted", 0, executor.submit(_predict, simulator, values, cal.check.replications)))
    rows = []
    for source, draw, future in jobs:
        for rep, stats in enumerate(future.result()):
            rows += [{"source": source, "draw": draw + rep, "statistic": k, "value": v} for k, v in stats.items()]
    return pd.DataFrame(rows)


def check_summary(cal: Calibration, sims: pd.DataFrame) -> pd.DataFrame:
    """Every target beside its simulated distribution: quantiles, the accepted set's mean, and a verdict."""
    rows = []
    for t in cal.targets:
        post = sims[(sims["source"] == "posterior") & (sims["statistic"] == t.statistic)]["value"].dropna()
        acc = sims[(sims["source"] == "accepted") & (sims["statistic"] == t.statistic)]["value"].dropna()
        q05, q50, q95 = np.quantile(post, [0.05, 0.5, 0.95]) if len(post) else (np.nan,) * 3
        low, high = t.value - 2 * t.scale, t.value + 2 * t.scale
        rows.append(
            {
                "statistic": t.statistic,
                "use": t.use,
                "unit": STATISTICS[t.statistic].unit,
                "observed": t.value,
                "accept_low": low,
                "accept_high": high,
                "simulated_q05": q05,
                "simulated_median": q50,
                "simulated_q95": q95,
                "accepted_mean": float(acc.mean()) if len(acc) else np.nan,
                "z_accepted": (float(acc.mean()) - t.value) / t.scale if len(acc) else np.nan,
                "within_range": bool(len(acc) and low <= acc.mean() <= high),
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def _save_figure(fig, path: Path) -> None:
    write_atomic(path, lambda p: fig.savefig(p, dpi=110, bbox_inches="tight", format="png"))
    plt.close(fig)


def plot_check(summary: pd.DataFrame, sims: pd.DataFrame, path: Path) -> None:
    """One panel per target: simulated values (posterior draws, the accepted set), observed value and range."""
    n = len(summary)
    cols = min(4, n)
    fig, axes = plt.subplots((n + cols - 1) // cols, cols, figsize=(3.2 * cols, 2.4 * ((n + cols - 1) // cols)))
    for ax, (_, row) in zip(np.atleast_1d(axes).ravel(), summary.iterrows(), strict=False):
        mine = sims[sims["statistic"] == row["statistic"]]
        ax.axvspan(row["accept_low"], row["accept_high"], color="#56B4E9", alpha=0.25, label="observed ± 2 sd")
        ax.hist(
            mine[mine["source"] == "posterior"]["value"].dropna(), bins=15, color="#999999", label="posterior draws"
        )
        for v in mine[mine["source"] == "accepted"]["value"].dropna():
            ax.axvline(v, color="#E69F00", lw=0.8, alpha=0.7)
        ax.axvline(row["observed"], color="#0072B2", lw=2, label="observed")
        ax.set_title(f"{row['statistic']}{' (validation)' if row['use'] == 'validation' else ''}", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in np.atleast_1d(axes).ravel()[n:]:
        ax.axis("off")
    np.atleast_1d(axes).ravel()[0].legend(fontsize=6)
    fig.suptitle("Posterior-predictive check (orange: runs at the accepted parameter set)", fontsize=9)
    _save_figure(fig, path)


def plot_posterior(cal: Calibration, posterior: pd.DataFrame, folder: Path) -> None:
    """Weighted marginal histograms within the prior bounds, and pairwise scatter plots."""
    names, w = list(cal.parameters), posterior["weight"].to_numpy()
    fig, axes = plt.subplots(1, len(names), figsize=(2.8 * len(names), 2.4), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        low, high = cal.parameters[name]
        ax.hist(posterior[name], bins=20, range=(low, high), weights=w, color="#0072B2")
        ax.set_xlim(low, high)
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
    _save_figure(fig, folder / "posterior_marginals.png")
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(2.2 * k, 2.2 * k), squeeze=False)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i][j]
            if i == j:
                ax.hist(posterior[a], bins=20, range=cal.parameters[a], weights=w, color="#0072B2")
            else:
                ax.scatter(posterior[b], posterior[a], s=4 + 400 * w, alpha=0.5, color="#0072B2")
                ax.set_xlim(*cal.parameters[b])
                ax.set_ylim(*cal.parameters[a])
            ax.tick_params(labelsize=6)
            if j == 0:
                ax.set_ylabel(a, fontsize=7)
            if i == k - 1:
                ax.set_xlabel(b, fontsize=7)
    _save_figure(fig, folder / "posterior_pairs.png")


def plot_diagnostics(diag: pd.DataFrame, path: Path) -> None:
    fig, (a, b) = plt.subplots(1, 2, figsize=(7, 2.6))
    a.plot(diag["generation"], diag["epsilon"], "o-", color="#0072B2")
    a.set(xlabel="generation", ylabel="epsilon", yscale="log")
    b.plot(diag["generation"], diag["acceptance"], "o-", color="#D55E00")
    b.set(xlabel="generation", ylabel="acceptance rate")
    _save_figure(fig, path)


def write_outputs(cal: Calibration, out: Path, history, executor: Executor, window: int = 1) -> dict[str, Path]:
    """Write every output of a finished (or stopped) calibration into ``out``; returns them by name."""
    posterior = posterior_table(history)
    diag = diagnostics(history)
    values = accepted_values(cal, posterior)
    files = {
        "posterior": out / "posterior.parquet",
        "scenario": out / "calibrated.toml",
        "diagnostics": out / "diagnostics.csv",
        "check": out / "predictive_check.csv",
        "check_runs": out / "predictive_runs.parquet",
    }
    write_atomic(files["posterior"], lambda p: posterior.to_parquet(p, index=False))
    write_atomic(files["diagnostics"], lambda p: diag.to_csv(p, index=False))
    scenario = accepted_scenario(cal, values)
    header = f"# Calibrated by `crsim calibrate` ({cal.name}, seed {cal.seed}): the weighted posterior mean.\n"
    write_atomic(files["scenario"], lambda p: _write_text(p, header + dumps(scenario.model_dump(mode="json"))))
    sims = predictive(cal, posterior, values, executor)
    summary = check_summary(cal, sims)
    write_atomic(files["check_runs"], lambda p: sims.to_parquet(p, index=False))
    write_atomic(files["check"], lambda p: summary.to_csv(p, index=False))
    for name, plot in (("check_figure", "predictive_check.png"), ("diagnostics_figure", "diagnostics.png")):
        files[name] = out / plot
    plot_check(summary, sims, files["check_figure"])
    plot_diagnostics(diag, files["diagnostics_figure"])
    plot_posterior(cal, posterior, out)
    files["marginals"], files["pairs"] = out / "posterior_marginals.png", out / "posterior_pairs.png"
    return files
