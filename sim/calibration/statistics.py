"""Summary statistics of a market, each defined once, here: what calibration targets are compared with.

A statistic is a function of an :class:`Observation` (what a :class:`Watcher` saw of a market month by
month after a burn-in) that returns one number for the whole market; the ``@statistic`` decorator
registers it with its unit and meaning in :data:`STATISTICS`. Churn is counted as industry counts it:
customers lost per customer-year at risk (Ofcom; operators' monthly churn is the same per customer-month).
Retention after a problem follows TARP's complaint-handling studies: every service failure opens a
*problem*, handled in one of four ways (not complained about; complained and not resolved; resolved after
waiting; resolved at first contact), and the problem counts as retained when the customer is still with
the same firm ``follow_up`` months later.

TARP asked customers whether they *would buy again*: a stated intention, asked once the problem had been
handled. Its model counterpart (``intention_*``) is the customer's own logit probability of choosing their
current firm if they chose afresh now - the utility of staying against every rival's offer and against
leaving the market, with ``choice_noise`` as the scale, as :func:`sim.mechanisms.switching.decide`
weighs them - taken at the end of the month in which the handling was settled; a customer who has already
left the firm counts as 0. Inertia, exit fees and points are left out: they hold a customer without making
them want to stay, which is why stated intention and repurchase behaviour differ (Mittal & Kamakura 2001,
"Satisfaction, repurchase intent, and repurchase behavior", *J. Marketing Research* 38).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.mechanisms.service import HANDLING
from sim.mechanisms.switching import joining_utility, staying_utility
from sim.params import Measures
from sim.state import MarketState
from sim.typology import TYPES, classify

DEVOTED_LEVEL = Measures().devoted_level  # the default threshold, for the description


@dataclass(frozen=True)
class Statistic:
    """A registered summary statistic: its name, unit, meaning and how it is computed."""

    name: str
    unit: str
    description: str
    compute: Callable[[Observation], float]


STATISTICS: dict[str, Statistic] = {}

#: Contract classes by the firm's minimum term in months (a firm's customers all share its term).
CONTRACTS = {"month_to_month": (0, 0), "one_year": (1, 12), "two_year": (13, 60)}
#: How a problem was handled (TARP's categories); PENDING is a complaint still waiting.
NO_COMPLAINT, UNRESOLVED, RESOLVED, RESOLVED_QUICKLY, PENDING = range(5)
HANDLED = ("no_complaint", "unresolved", "resolved", "resolved_quickly")


def statistic(unit: str, description: str) -> Callable[[Callable[[Observation], float]], Callable]:
    """Register a statistic under its function's name."""

    def register(fn: Callable[[Observation], float]) -> Callable[[Observation], float]:
        if fn.__name__ in STATISTICS:
            raise ValueError(f"statistic {fn.__name__!r} registered twice")
        STATISTICS[fn.__name__] = Statistic(fn.__name__, unit, description, fn)
        return fn

    return register


@dataclass
class Observation:
    """What was seen of a market over its measured months (all sums over months, per firm)."""

    months: int = 0
    contract_term: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per firm, months
    at_risk: np.ndarray = field(default_factory=lambda: np.zeros(0))  # customer-months at month start
    churned: np.ndarray = field(default_factory=lambda: np.zeros(0))
    looked: np.ndarray = field(default_factory=lambda: np.zeros(0))
    failures: np.ndarray = field(default_factory=lambda: np.zeros(0))
    complaints: np.ndarray = field(default_factory=lambda: np.zeros(0))
    retained: np.ndarray = field(default_factory=lambda: np.zeros(len(HANDLED)))  # problems retained, by handling
    problems: np.ndarray = field(default_factory=lambda: np.zeros(len(HANDLED)))  # problems followed up
    intent: np.ndarray = field(default_factory=lambda: np.zeros(len(HANDLED)))  # summed intention, by handling
    asked: np.ndarray = field(default_factory=lambda: np.zeros(len(HANDLED)))  # problems settled, by handling
    types: np.ndarray = field(default_factory=lambda: np.zeros(len(TYPES)))  # customer-months by type
    bonded: float = 0.0  # customer-months with bond >= measures.devoted_level
    tenure: np.ndarray = field(default_factory=lambda: np.zeros(0))  # tenure of every customer at the end


def stay_probability(m: MarketState, idx: np.ndarray) -> np.ndarray:
    """Each customer's logit probability of choosing their current firm if they chose afresh now (0 if none).

    The alternatives are the model's own (``switching.decide``): staying, joining each other firm, leaving
    the market; Gumbel noise of scale ``choice_noise`` makes the choice a multinomial logit. Inertia and
    exit costs, which only hold a customer back, are left out.
    """
    c, b = m.customers, m.behaviour
    idx = np.asarray(idx, dtype=np.int64)
    out = np.zeros(len(idx))
    here = idx[c.attached[idx]]
    if not len(here):
        return out
    stay = staying_utility(m, here)
    rivals = joining_utility(m, here)
    rivals[np.arange(len(here)), c.firm[here]] = -np.inf
    u = np.column_stack([stay, rivals, np.full(len(here), b.outside_option)])
    best = u.max(axis=1, keepdims=True)
    if b.choice_noise <= 0:
        p = (stay >= best[:, 0]).astype(float)
    else:
        w = np.exp((u - best) / b.choice_noise)
        p = w[:, 0] / w.sum(axis=1)
    out[c.attached[idx]] = p
    return out


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b > 0 else float("nan")


class Watcher:
    """Follows a market month by month and fills an :class:`Observation`; call :meth:`see` after each step.

    Months before ``burn_in`` are not counted; a problem is followed up ``follow_up`` months after it
    occurred, so problems in the last ``follow_up`` months are not counted either.
    """

    def __init__(self, m: MarketState, burn_in: int, follow_up: int):
        self.burn_in, self.follow_up = burn_in, follow_up
        f = m.n_firms
        self.obs = Observation(
            contract_term=getattr(m.levers, "contract_term")[:-1].copy(),  # noqa: B009 - set per lever name
            at_risk=np.zeros(f),
            churned=np.zeros(f),
            looked=np.zeros(f),
            failures=np.zeros(f),
            complaints=np.zeros(f),
        )
        self.open = np.full(m.customers.n, -1)  # each customer's problem still being handled (index), -1 none
        self.code = np.zeros(0, dtype=np.int64)  # handling of every problem so far
        self.cohorts: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def see(self, m: MarketState, month: int) -> None:
        """Take in the month just stepped, the ``month``-th of the run."""
        c, t, o = m.customers, m.tally, self.obs
        settled, how = self._handle(c)
        if month <= self.burn_in:
            self.open[:] = -1  # problems before the measured months are not followed
            return
        o.months += 1
        o.at_risk += m.firms.customers_start[:-1]
        for name in ("churned", "looked", "failures", "complaints"):
            getattr(o, name)[:] += getattr(t, name)[:-1]
        kind = classify(c, m.measures)
        o.types += np.bincount(kind[kind >= 0], minlength=len(TYPES))
        o.bonded += float(np.count_nonzero(c.attached & (c.bond >= m.measures.devoted_level)))
        o.tenure = c.tenure[c.attached].copy()
        new, code = self._open_problems(c, month)
        done = code != PENDING
        self._ask(m, np.concatenate([settled, new[done]]), np.concatenate([how, code[done]]))
        self._follow_up(c, month)

    def _ask(self, m: MarketState, who: np.ndarray, code: np.ndarray) -> None:
        """Intention to stay of the customers whose problem was settled this month (0 if they left with it)."""
        c = m.customers
        p = np.where(c.tenure[who] > 0, stay_probability(m, who), 0.0)  # tenure 0: joined another firm this month
        self.obs.asked += np.bincount(code, minlength=len(HANDLED))[: len(HANDLED)]
        self.obs.intent += np.bincount(code, weights=p, minlength=len(HANDLED))[: len(HANDLED)]

    def _handle(self, c) -> tuple[np.ndarray, np.ndarray]:
        """Problems still being handled are resolved, given up, or end with the relationship; returns them."""
        h, op = c.handling, self.open
        waiting = np.flatnonzero(op >= 0)
        later = (h[waiting] & HANDLING["resolved_later"]) > 0
        self.code[op[waiting[later]]] = RESOLVED
        ended = ~later & (c.complaint_wait[waiting] == 0)  # gave up, or left the firm while waiting
        self.code[op[waiting[ended]]] = UNRESOLVED
        settled = waiting[later | ended]
        how = np.where(later, RESOLVED, UNRESOLVED)[later | ended]
        op[settled] = -1
        return settled, how.astype(np.int64)

    def _open_problems(self, c, month: int) -> tuple[np.ndarray, np.ndarray]:
        h = c.handling
        new = np.flatnonzero(((h & HANDLING["failed"]) > 0) & (self.open < 0))
        hn = h[new]
        code = np.where(
            (hn & HANDLING["resolved_first_contact"]) > 0,
            RESOLVED_QUICKLY,
            np.where((hn & HANDLING["complained"]) > 0, PENDING, NO_COMPLAINT),
        )
        first = len(self.code)
        self.code = np.concatenate([self.code, code])
        pending = code == PENDING
        self.open[new[pending]] = first + np.flatnonzero(pending)
        index = first + np.arange(len(new))
        firm = np.where(c.tenure[new] > 0, c.firm[new], -2)  # tenure 0: left the firm in the month of the problem
        self.cohorts[month] = (new, firm, c.tenure[new].copy(), index)
        return new, code.astype(np.int64)

    def _follow_up(self, c, month: int) -> None:
        cohort = self.cohorts.pop(month - self.follow_up, None)
        if cohort is None:
            return
        who, firm, tenure, index = cohort
        stayed = (c.firm[who] == firm) & (c.tenure[who] == tenure + self.follow_up)
        code = self.code[index]
        code = np.where(code == PENDING, UNRESOLVED, code)  # not resolved within the follow-up
        self.obs.problems += np.bincount(code, minlength=len(HANDLED))[: len(HANDLED)]
        self.obs.retained += np.bincount(code, weights=stayed, minlength=len(HANDLED))[: len(HANDLED)]


def measure(obs: Observation, names: list[str] | None = None) -> dict[str, float]:
    """The named statistics (default: all) of an observation."""
    return {name: float(STATISTICS[name].compute(obs)) for name in (names or STATISTICS)}


# -- churn ----------------------------------------------------------------------------------------
@statistic("per customer-year", "customers lost (switched or left the market) per customer-year at risk")
def annual_churn(o: Observation) -> float:
    return _ratio(o.churned.sum(), o.at_risk.sum() / 12)


@statistic("per customer-month", "customers lost per customer-month at risk (operators' monthly churn)")
def monthly_churn(o: Observation) -> float:
    return _ratio(o.churned.sum(), o.at_risk.sum())


def _churn_by_contract(kind: str) -> Callable[[Observation], float]:
    low, high = CONTRACTS[kind]

    def churn(o: Observation) -> float:
        firms = (o.contract_term >= low) & (o.contract_term <= high)
        return _ratio(o.churned[firms].sum(), o.at_risk[firms].sum() / 12)

    churn.__name__ = f"churn_{kind}"
    return churn


for _kind in CONTRACTS:
    _low, _high = CONTRACTS[_kind]
    _terms = "no minimum term" if _high == 0 else f"a minimum term of {_low}-{_high} months"
    statistic("per customer-year", f"annual churn at firms with {_terms}")(_churn_by_contract(_kind))


@statistic("share", "share of customers who look around in a month and then switch or leave")
def switch_when_looking(o: Observation) -> float:
    return _ratio(o.churned.sum(), o.looked.sum())


# -- problems and complaints ------------------------------------------------------------------------
@statistic("per customer-year", "complaints raised per customer-year")
def complaint_rate(o: Observation) -> float:
    return _ratio(o.complaints.sum(), o.at_risk.sum() / 12)


@statistic("per customer-year", "service failures (problems) per customer-year")
def problem_rate(o: Observation) -> float:
    return _ratio(o.failures.sum(), o.at_risk.sum() / 12)


@statistic("share", "share of service failures the customer complains about (voice)")
def voice_share(o: Observation) -> float:
    return _ratio(o.complaints.sum(), o.failures.sum())


def _retention(j: int) -> Callable[[Observation], float]:
    def retention(o: Observation) -> float:
        return _ratio(o.retained[j], o.problems[j])

    retention.__name__ = f"retention_{HANDLED[j]}"
    return retention


_HOW = {
    "no_complaint": "the customer did not complain",
    "unresolved": "the customer complained and it was not resolved (gave up, or still waiting)",
    "resolved": "the complaint was resolved after waiting in the back office",
    "resolved_quickly": "the complaint was resolved at first contact",
}
for _j, _how in enumerate(HANDLED):
    statistic("share", f"still with the firm a follow-up after a problem where {_HOW[_how]}")(_retention(_j))


def _intention(j: int) -> Callable[[Observation], float]:
    def intention(o: Observation) -> float:
        return _ratio(o.intent[j], o.asked[j])

    intention.__name__ = f"intention_{HANDLED[j]}"
    return intention


for _j, _how in enumerate(HANDLED):
    statistic("probability", f"chance of choosing the firm again once a problem is settled, where {_HOW[_how]}")(
        _intention(_j)
    )


@statistic("share points", "retention after a problem resolved at first contact minus after one not complained about")
def retention_gradient(o: Observation) -> float:
    return _retention(RESOLVED_QUICKLY)(o) - _retention(NO_COMPLAINT)(o)


# -- relationships --------------------------------------------------------------------------------
def _type_share(name: str) -> Callable[[Observation], float]:
    def share(o: Observation) -> float:
        return _ratio(o.types[TYPES.index(name)], o.types.sum())

    share.__name__ = f"share_{name}"
    return share


for _name in TYPES:
    statistic("share", f"share of customer-months in a {_name} relationship (sim.typology)")(_type_share(_name))


@statistic("share", "share of customer-months in an open, trapped or estranged relationship ('open marriage or worse')")
def share_open_or_worse(o: Observation) -> float:
    worse = [TYPES.index(n) for n in ("open", "trapped", "estranged")]
    return _ratio(o.types[worse].sum(), o.types.sum())


@statistic("share", f"share of customer-months with an emotional bond of at least {DEVOTED_LEVEL}")
def share_emotional_bond(o: Observation) -> float:
    return _ratio(o.bonded, o.types.sum())


@statistic("months", "median tenure of the customers with a firm at the end")
def median_tenure(o: Observation) -> float:
    return float(np.median(o.tenure)) if len(o.tenure) else float("nan")
