"""Where the market's state lives: customers as columns of numpy arrays.

Customer ``i`` is row ``i`` of every array (struct of arrays, as in mesa-frames);
the Mesa ``Customer`` agents are thin handles that read these rows. Firms are
indexed ``0..F-1``; per-firm arrays carry one extra last entry for "no firm",
so a customer outside the market (``firm == -1``) reads neutral values without
a branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.params import Behaviour, Customers, Economics, Levers, Mechanisms

NEEDS_DIM = 2  # needs live in a plane: enough for drift, jumps and misfit


@dataclass
class CustomerState:
    """All customers' traits and relationship state, one row per customer."""

    # traits (fixed over a run, except price sensitivity in a recession)
    relationship_need: np.ndarray  # 0 = just wants to buy, 1 = wants a partner
    price_sensitivity: np.ndarray
    patience: np.ndarray
    reactance: np.ndarray  # how strongly being locked in breeds resentment
    talkativeness: np.ndarray
    # needs and the offer each customer currently has
    needs: np.ndarray  # (n, NEEDS_DIM)
    offer: np.ndarray  # (n, NEEDS_DIM)
    # relationship with the current firm
    firm: np.ndarray  # int, -1 = no firm
    tenure: np.ndarray  # months with the current firm
    trust: np.ndarray
    bond: np.ndarray
    satisfaction: np.ndarray
    expectation: np.ndarray
    resentment: np.ndarray
    contract_left: np.ndarray  # months until the contract may be ended without fee
    points: np.ndarray  # loyalty points, in monthly prices, lost on leaving
    promo_left: np.ndarray  # months of new-customer discount left
    upsell: np.ndarray  # monthly price added by pushed offers
    complaint_wait: np.ndarray  # 0 = no open complaint, else months waiting
    hidden_defects: np.ndarray  # undisclosed defects not yet discovered
    trapped: np.ndarray  # wants to leave, held by contract or points
    opinion: np.ndarray  # (n, F), column-major: what the customer thinks of each firm
    # what happened this month (scratch, rewritten every step)
    experience: np.ndarray = field(default=None)  # type: ignore[assignment]
    service_score: np.ndarray = field(default=None)  # type: ignore[assignment]
    annoyance: np.ndarray = field(default=None)  # type: ignore[assignment]
    warmth: np.ndarray = field(default=None)  # type: ignore[assignment]
    triggered: np.ndarray = field(default=None)  # type: ignore[assignment]
    may_enter: np.ndarray = field(default=None)  # type: ignore[assignment]
    handling: np.ndarray = field(default=None)  # type: ignore[assignment]  # service.HANDLING flags of the month

    def __post_init__(self):
        n = len(self.firm)
        self.may_enter = np.ones(n, dtype=bool)
        self.experience = np.zeros(n)
        self.service_score = np.zeros(n)
        self.annoyance = np.zeros(n)
        self.warmth = np.zeros(n)
        self.triggered = np.zeros(n, dtype=bool)
        self.handling = np.zeros(n, dtype=np.uint8)

    @property
    def n(self) -> int:
        return len(self.firm)

    @property
    def attached(self) -> np.ndarray:
        """Mask of customers who currently have a firm."""
        return self.firm >= 0


def _trait(rng: np.random.Generator, mean: float, spread: float, n: int) -> np.ndarray:
    """Beta-distributed trait in [0, 1] with the given mean; spread 0 = all equal."""
    if spread < 1e-6 or mean <= 0 or mean >= 1:
        return np.full(n, mean)
    concentration = 2.0 / spread**2  # spread 0.5 -> a+b = 8; spread 1 -> a+b = 2
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)


def new_customers(
    spec: Customers, n_firms: int, positions: np.ndarray, levers: list[Levers], rng: np.random.Generator
) -> CustomerState:
    """Draw a population and spread the customers who are in the market evenly over firms."""
    n, h = spec.count, spec.heterogeneity
    seeker = rng.random(n) < spec.relationship_seekers
    relationship_need = np.where(seeker, _trait(rng, 0.75, h, n), _trait(rng, 0.2, h, n))
    needs = rng.normal(0.0, 0.3, (n, NEEDS_DIM))
    firm = np.where(rng.random(n) < spec.in_market, rng.integers(0, n_firms, n), -1)
    attached = firm >= 0
    tailoring = np.array([lv.tailoring for lv in levers] + [0.0])[firm]
    pos = np.vstack([positions, np.zeros((1, NEEDS_DIM))])[firm]
    offer = pos + tailoring[:, None] * (needs - pos)
    term = np.array([lv.contract_term for lv in levers] + [0])[firm]
    opinion = np.asfortranarray(np.clip(rng.normal(0.5, 0.1, (n, n_firms)), 0, 1))  # a column per firm, contiguous
    trust = np.where(attached, np.clip(rng.normal(0.55, 0.15, n), 0, 1), 0.0)
    return CustomerState(
        relationship_need=relationship_need,
        price_sensitivity=_trait(rng, spec.price_sensitivity, h, n),
        patience=_trait(rng, spec.patience, h, n),
        reactance=_trait(rng, spec.lockin_reactance, h, n),
        talkativeness=_trait(rng, spec.talkativeness, h, n),
        needs=needs,
        offer=offer,
        firm=firm.astype(np.int64),
        tenure=np.where(attached, rng.integers(0, 60, n), 0),
        trust=trust,
        bond=np.where(attached, 0.3 * relationship_need * rng.random(n), 0.0),
        satisfaction=np.where(attached, 0.6, 0.0),
        expectation=np.where(attached, 0.6, 0.0),
        resentment=np.zeros(n),
        contract_left=np.where(term > 0, rng.integers(0, np.maximum(term, 1), n), 0),
        points=np.zeros(n),
        promo_left=np.zeros(n, dtype=np.int64),
        upsell=np.zeros(n),
        complaint_wait=np.zeros(n, dtype=np.int64),
        hidden_defects=np.zeros(n, dtype=np.int64),
        trapped=np.zeros(n, dtype=bool),
        opinion=opinion,
    )


class FirmTable:
    """Per-firm lever values as arrays (one entry per firm plus a neutral "no firm" entry).

    ``table.price[state.firm]`` gives every customer the price of their firm.
    """

    def __init__(self, levers: list[Levers]):
        self.update(levers)

    def update(self, levers: list[Levers]) -> None:
        self.levers = list(levers)
        for name in Levers.model_fields:
            setattr(self, name, np.array([getattr(lv, name) for lv in levers] + [0.0], dtype=float))

    def __len__(self) -> int:
        return len(self.levers)


@dataclass
class FirmState:
    """What changes inside firms from month to month (arrays of length F + 1)."""

    exhaustion: np.ndarray  # staff exhaustion, 0..1
    price_factor: np.ndarray  # 1 = list price; a price war lowers it
    sales_push: np.ndarray  # effective sales pressure this month (targets raise it)
    customers_start: np.ndarray  # customers at the start of the month
    customers_end: np.ndarray  # customers at the end of the month
    load: np.ndarray  # complaints to handle per unit of back-office capacity

    @classmethod
    def fresh(cls, n_firms: int) -> FirmState:
        z = np.zeros(n_firms + 1)
        return cls(z.copy(), np.ones(n_firms + 1), z.copy(), z.copy(), z.copy(), z.copy())

    @property
    def authenticity(self) -> np.ndarray:
        """Exhausted staff can only act friendly; fresh staff mean it (Hochschild 1983; Grandey 2003)."""
        return 1.0 - self.exhaustion


class Tally:
    """Per-firm counts of what happened this month; reset at the start of every step."""

    NAMES = (
        "encounters",
        "failures",
        "complaints",
        "silent_failures",
        "resolved_first_contact",
        "resolved_later",
        "neglected",
        "defects_discovered",
        "pitches",
        "accepted_pitches",
        "care_contacts",
        "posts",
        "wom_positive",
        "wom_negative",
        "looked",
        "churned",
        "switched_out",
        "left_market",
        "acquired",
        "exit_fees",
        "complaints_handled",
        "queue",
        "revenue",
        "costs",
        "profit",
    )

    def __init__(self, n_firms: int):
        self.n_firms = n_firms
        self.reset()

    def reset(self) -> None:
        for name in self.NAMES:
            setattr(self, name, np.zeros(self.n_firms + 1))

    def add(
        self, name: str, slot: np.ndarray, mask: np.ndarray | None = None, weights: np.ndarray | None = None
    ) -> None:
        """Add events (customers where ``mask``) to their firms' count of ``name``; ``slot`` as in ``MarketState.slot``."""
        getattr(self, name)[:] += by_slot(slot, self.n_firms, mask, weights)


def by_slot(
    slot: np.ndarray, n_firms: int, mask: np.ndarray | None = None, weights: np.ndarray | None = None
) -> np.ndarray:
    """Sum per firm over customers, by firm slot ``0..F`` (length F + 1; slot F collects customers without a firm).

    A mask becomes zero weights rather than a selection: the sums are the same,
    bit for bit (adding 0.0 changes nothing), without copying the selected rows.
    """
    if mask is not None:
        weights = mask if weights is None else np.where(mask, weights, 0.0)
    return np.bincount(slot, weights=weights, minlength=n_firms + 1).astype(float)


#: Each phase draws from its own random stream, so what customers do by themselves
#: (needs, life events) is identical under every policy on the same seed: policy
#: comparisons see common random numbers.
STREAMS = ("population", "network", "needs", "service", "sales", "talk", "choice", "entry")


@dataclass
class MarketState:
    """Everything a phase of the month reads or changes."""

    customers: CustomerState
    levers: FirmTable
    firms: FirmState
    tally: Tally
    customer_spec: Customers
    behaviour: Behaviour
    mechanisms: Mechanisms
    economics: Economics
    positions: np.ndarray  # (F, NEEDS_DIM) each firm's standard offer
    network: object  # scipy.sparse CSR adjacency
    rng: dict[str, np.random.Generator]
    month: int = 0
    recession: float = 0.0  # current strength of a recession (0 = none)
    _slot: np.ndarray | None = None

    @property
    def n_firms(self) -> int:
        return len(self.levers)

    @property
    def slot(self) -> np.ndarray:
        """Each customer's firm as an index into per-firm arrays, ``F`` for no firm (cached).

        Computed once and reused by every phase; whoever changes ``customers.firm``
        calls :meth:`firms_changed` (``switching.detach`` and ``switching.join`` do).
        """
        if self._slot is None:
            self._slot = self.customers.firm % (self.n_firms + 1)
        return self._slot

    def firms_changed(self) -> None:
        """Forget the cached :attr:`slot` after ``customers.firm`` was written."""
        self._slot = None

    def fit(self, offer: np.ndarray, needs: np.ndarray | None = None) -> np.ndarray:
        """How well an offer meets needs: 1 = perfectly, falling with squared distance."""
        needs = self.customers.needs if needs is None else needs
        d2 = (needs[..., 0] - offer[..., 0]) ** 2 + (needs[..., 1] - offer[..., 1]) ** 2  # NEEDS_DIM == 2
        return self.fit_at(d2)

    def fit_at(self, d2: np.ndarray) -> np.ndarray:
        """Fit at squared distance ``d2`` between offer and needs: a Gaussian of width ``fit_width``."""
        return np.exp(-d2 / (2 * self.behaviour.fit_width**2))

    def price_paid(self, idx: np.ndarray | None = None) -> np.ndarray:
        """What each customer (or each customer in ``idx``) pays this month (0 without a firm)."""
        c, lv = self.customers, self.levers
        f, promo, upsell = self.slot, c.promo_left, c.upsell
        if idx is not None:
            f, promo, upsell = f[idx], promo[idx], upsell[idx]
        discount = np.where(promo > 0, lv.acquisition_discount[f], 0.0)
        price = lv.price[f]
        paid = price * self.firms.price_factor[f] * (1 - discount) + upsell * price
        return np.where(f < self.n_firms, paid, 0.0)

    def reference_price(self) -> float:
        """Mean list price in the market, the yardstick of 'expensive'."""
        return float(np.mean(self.levers.price[:-1] * self.firms.price_factor[:-1]))
