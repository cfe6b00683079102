"""Input that is valid but means nothing: a warning, not an error (the run would silently ignore it).

A shock that starts after the horizon never happens; a firm named on a recession is ignored (a recession
hits the whole market). :func:`warn_meaningless` issues each as an :class:`InputWarning`, which ``crsim``
prints as one line.
"""

from __future__ import annotations

import warnings

from sim.scenario import Scenario


class InputWarning(UserWarning):
    """Valid input that has no effect, e.g. a shock after the horizon."""


def meaningless(scenario: Scenario) -> list[str]:
    """'field: problem' for every part of a valid scenario that cannot have an effect."""
    from sim.mechanisms.shocks import start_month

    out = []
    for i, shock in enumerate(scenario.shocks):
        if start_month(shock) > scenario.months:
            out.append(
                f"shocks[{i}].year: {shock.year:g} is after the horizon of {scenario.years:g} years; "
                "the shock never happens"
            )
        if shock.kind == "recession" and shock.firm is not None:
            out.append(f"shocks[{i}].firm: a recession hits the whole market; firm {shock.firm!r} is ignored")
    return out


def warn_meaningless(scenario: Scenario, source: str) -> None:
    """Issue an :class:`InputWarning` for each meaningless part of ``scenario`` (``source`` names the input)."""
    for problem in meaningless(scenario):
        warnings.warn(f"{source}: {problem}", InputWarning, stacklevel=2)


def meaningless_design(bounds: dict[str, tuple[float, float]]) -> list[str]:
    """Bounds of whole-number parameters that round to a single value: every sampled point gets it."""
    from sim.experiments.spec import is_integer

    return [
        f"design.bounds.{name}: [{low:g}, {high:g}] rounds to {round(low)} at every point of this whole-number field"
        for name, (low, high) in bounds.items()
        if is_integer(name) and round(low) == round(high)
    ]
