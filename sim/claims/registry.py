"""Claims of the essays as declared, testable comparisons, discovered through a registry.

A claim is one small class with the ``@register`` decorator, as a policy is
(:mod:`sim.policies`): its name, the essay sentence it stands for (German
original, quoted exactly, the seed file it comes from, and an English
rendering), the two *arms* it compares on the focal firm on common random
numbers, the outcome and the window of months it is read over, the direction
and the minimum effect that counts. Arms are data: a policy preset's name plus
settings given as dotted parameter names (``levers.listening``,
``mechanisms.public_channel``), so a claim keeps its meaning when a preset's
lever values change.

A claim *holds* at a point of the uncertainty space when the paired effect
(treatment minus control, averaged over replications), signed in the claim's
direction, exceeds ``min_effect``. A negative ``min_effect`` states a margin:
``direction = "lower", min_effect = -0.02`` reads "no more than 0.02 higher".

>>> sorted(CLAIMS)[:2]
['angry_customers_go_public', 'budget_sales_acquisitions']
>>> CLAIMS["exit_option_trust"].treatment.label()
'permanent_exit'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from sim.util import suggest

CLAIMS: dict[str, type[Claim]] = {}
STATISTICS = ("mean", "total_per_100", "rate_per_100")


def register(cls: type[Claim]) -> type[Claim]:
    """Class decorator: make a claim known to ``crsim claims``, the atlas and the tests by its name."""
    if cls.name in CLAIMS:
        raise ValueError(f"claim {cls.name!r} registered twice")
    cls.check()
    CLAIMS[cls.name] = cls
    return cls


def lookup(name: str) -> type[Claim]:
    """The registered claim called ``name``; a ``KeyError`` with a suggestion otherwise."""
    if name not in CLAIMS:
        raise KeyError(f"unknown claim {name!r}{suggest(name, CLAIMS)}")
    return CLAIMS[name]


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: the focal firm runs ``policy`` with ``settings`` (dotted names) applied."""

    policy: str
    settings: dict[str, float | int | bool] = field(default_factory=dict)

    def key(self) -> str:
        """File-safe name of the arm, the same for equal arms."""
        parts = [self.policy] + [f"{k.split('.', 1)[1]}={v}" for k, v in sorted(self.settings.items())]
        return "__".join(parts).replace(".", "p").replace("-", "m")

    def label(self) -> str:
        """How the arm reads in the atlas: ``business_as_usual (listening 0.2)``."""
        if not self.settings:
            return self.policy
        inner = ", ".join(f"{k.split('.', 1)[1].replace('_', ' ')} {v}" for k, v in self.settings.items())
        return f"{self.policy} ({inner})"

    def __hash__(self) -> int:
        return hash(self.key())


@dataclass(frozen=True)
class Window:
    """Months ``first`` to ``last`` of a run, both included (month 1 is the first simulated month)."""

    first: int
    last: int

    def label(self) -> str:
        if self.first % 12 == 1 and self.last % 12 == 0:
            y0, y1 = (self.first - 1) // 12 + 1, self.last // 12
            return f"year {y0}" if y0 == y1 else f"years {y0}-{y1}"
        return f"months {self.first}-{self.last}"


class Claim:
    """Base class of a claim: a directed comparison of two arms on one outcome over a window."""

    name: ClassVar[str]
    title: ClassVar[str]  # the claim in a plain sentence, as a facilitator says it
    seed: ClassVar[str]  # essay file in the seeds folder the sentence is quoted from
    german: ClassVar[str]  # the essay's sentence, quoted exactly
    english: ClassVar[str]  # an English rendering of it
    sceptic: ClassVar[bool] = False  # a claim a sceptic of the essays would add
    treatment: ClassVar[Arm]
    control: ClassVar[Arm]
    outcome: ClassVar[str]
    window: ClassVar[Window]
    statistic: ClassVar[Literal["mean", "total_per_100", "rate_per_100"]] = "mean"
    direction: ClassVar[Literal["higher", "lower"]]
    min_effect: ClassVar[float] = 0.0
    unit: ClassVar[str] = ""

    @classmethod
    def sign(cls) -> int:
        return 1 if cls.direction == "higher" else -1

    @classmethod
    def arms(cls) -> tuple[Arm, Arm]:
        return cls.treatment, cls.control

    @classmethod
    def check(cls) -> None:
        """Raise ValueError naming the claim and field when a declaration is inconsistent."""
        from sim.experiments.spec import OUTCOMES, parameter_names
        from sim.policies import POLICIES

        def bad(what: str) -> ValueError:
            return ValueError(f"claim {getattr(cls, 'name', cls.__name__)!r}: {what}")

        for attr in ("name", "title", "seed", "german", "english", "treatment", "control", "outcome", "window"):
            if not hasattr(cls, attr):
                raise bad(f"{attr} is missing")
        for side in ("treatment", "control"):
            arm: Arm = getattr(cls, side)
            if arm.policy not in POLICIES:
                raise bad(f"{side}.policy: unknown policy {arm.policy!r}{suggest(arm.policy, POLICIES)}")
            for name in arm.settings:
                if name not in parameter_names():
                    raise bad(f"{side}.settings: unknown parameter {name!r}{suggest(name, parameter_names())}")
        if cls.treatment == cls.control and cls.min_effect >= 0:
            raise bad("treatment and control are the same arm")
        if cls.outcome not in OUTCOMES:
            raise bad(f"outcome: unknown outcome {cls.outcome!r}{suggest(cls.outcome, OUTCOMES)}")
        if not 1 <= cls.window.first <= cls.window.last:
            raise bad(f"window: months must satisfy 1 <= first <= last (got {cls.window})")
        if cls.statistic not in STATISTICS:
            raise bad(f"statistic: one of {', '.join(STATISTICS)} (got {cls.statistic!r})")
        if cls.direction not in ("higher", "lower"):
            raise bad(f"direction: 'higher' or 'lower' (got {cls.direction!r})")

    @classmethod
    def statement(cls) -> str:
        """The comparison in one line: what must be higher or lower than what, by how much, when."""
        margin = abs(cls.min_effect)
        if cls.min_effect > 0:
            by = f" by more than {margin:g}{cls.unit}"
        elif cls.min_effect < 0:
            other = "higher" if cls.direction == "lower" else "lower"
            by = f" (or at most {margin:g}{cls.unit} {other})"
        else:
            by = ""
        return (
            f"{describe_outcome(cls)} is {cls.direction} under {cls.treatment.label()} than under "
            f"{cls.control.label()}{by}, in {cls.window.label()}"
        )

    @classmethod
    def as_dict(cls) -> dict[str, Any]:
        """The declaration as plain data (for the atlas and its record)."""
        return {
            "name": cls.name,
            "title": cls.title,
            "seed": cls.seed,
            "german": cls.german,
            "english": cls.english,
            "sceptic": cls.sceptic,
            "treatment": {"policy": cls.treatment.policy, "settings": dict(cls.treatment.settings)},
            "control": {"policy": cls.control.policy, "settings": dict(cls.control.settings)},
            "outcome": cls.outcome,
            "window": [cls.window.first, cls.window.last],
            "statistic": cls.statistic,
            "direction": cls.direction,
            "min_effect": cls.min_effect,
        }


def describe_outcome(claim: type[Claim]) -> str:
    """``trust (mean)``, ``acquired (total per 100 customers in the market)``, ..."""
    how = {
        "mean": "mean",
        "total_per_100": "total per 100 customers in the market",
        "rate_per_100": "per 100 of the firm's customers per month",
    }[claim.statistic]
    return f"{claim.outcome.replace('_', ' ')} ({how})"
