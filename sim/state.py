"""Where the market's state lives: customers as columns of numpy arrays.

Customer ``i`` is row ``i`` of every array (struct of arrays, as in mesa-frames);
the Mesa ``Customer`` agents are thin handles that read these rows. Firms are
indexed ``0..F-1``; per-firm arrays carry one extra last entry for "no firm",
so a customer outside the market (``firm == -1``) reads neutral values without
a branch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, get_args

import numpy as np
import numpy.typing as npt
from numba import njit

from sim.params import Behaviour, Customers, Economics, Levers, Measures, Mechanisms, ServiceScores

FloatArray = npt.NDArray[np.float64]  # float32 in compact customer state (CustomerState.DTYPES)
IntArray = npt.NDArray[np.int64]  # int32/int16 in compact customer state
BoolArray = npt.NDArray[np.bool_]
NEEDS_DIM = 2  # needs live in a plane: enough for drift, jumps and misfit


@dataclass
class CustomerState:
    """All customers' traits and relationship state, one row per customer."""

    # traits (fixed over a run, except price sensitivity in a recession)
    relationship_need: FloatArray  # 0 = just wants to buy, 1 = wants a partner
    price_sensitivity: FloatArray
    patience: FloatArray
    reactance: FloatArray  # how strongly being locked in breeds resentment
    talkativeness: FloatArray
    # needs and the offer each customer currently has
    needs: FloatArray  # (n, NEEDS_DIM)
    offer: FloatArray  # (n, NEEDS_DIM)
    # relationship with the current firm
    firm: IntArray  # int, -1 = no firm
    tenure: IntArray  # months with the current firm
    trust: FloatArray
    bond: FloatArray
    satisfaction: FloatArray
    expectation: FloatArray
    resentment: FloatArray
    contract_left: IntArray  # months until the contract may be ended without fee
    points: FloatArray  # loyalty points, in monthly prices, lost on leaving
    promo_left: IntArray  # months of new-customer discount left
    upsell: FloatArray  # monthly price added by pushed offers
    complaint_wait: IntArray  # 0 = no open complaint, else months waiting
    hidden_defects: IntArray  # undisclosed defects not yet discovered
    trapped: BoolArray  # wants to leave, held by contract or points
    opinion: FloatArray  # (n, F), row-major: what the customer thinks of each firm (a row per customer)
    # what happened this month (scratch, rewritten every step)
    experience: FloatArray = field(init=False)
    service_score: FloatArray = field(init=False)
    annoyance: FloatArray = field(init=False)
    warmth: FloatArray = field(init=False)
    triggered: BoolArray = field(init=False)
    may_enter: BoolArray = field(init=False)
    handling: npt.NDArray[np.uint8] = field(init=False)  # service.HANDLING flags of the month

    #: Compact storage (about 150 bytes per customer with four firms): float32 for every
    #: quantity in [0, 1] or of similar range, and the smallest integers the bounds allow.
    DTYPES: ClassVar[dict[str, Any]] = {
        **{
            name: np.float32
            for name in (
                "relationship_need",
                "price_sensitivity",
                "patience",
                "reactance",
                "talkativeness",
                "needs",
                "offer",
                "trust",
                "bond",
                "satisfaction",
                "expectation",
                "resentment",
                "points",
                "upsell",
                "opinion",
            )
        },
        "firm": np.int32,
        "tenure": np.int32,
        "contract_left": np.int16,
        "promo_left": np.int16,
        "complaint_wait": np.int16,
        "hidden_defects": np.int16,
        "trapped": np.bool_,
    }

    def __post_init__(self) -> None:
        for name, dtype in self.DTYPES.items():
            setattr(self, name, np.ascontiguousarray(getattr(self, name), dtype=dtype))
        n = len(self.firm)
        self.may_enter = np.ones(n, dtype=bool)
        self.experience = np.zeros(n, dtype=np.float32)
        self.service_score = np.zeros(n, dtype=np.float32)
        self.annoyance = np.zeros(n, dtype=np.float32)
        self.warmth = np.zeros(n, dtype=np.float32)
        self.triggered = np.zeros(n, dtype=bool)
        self.handling = np.zeros(n, dtype=np.uint8)

    @property
    def n(self) -> int:
        return len(self.firm)

    @property
    def attached(self) -> BoolArray:
        """Mask of customers who currently have a firm."""
        return self.firm >= 0


def _trait(rng: np.random.Generator, mean: float, spread: float, n: int) -> FloatArray:
    """Beta-distributed trait in [0, 1] with the given mean; spread 0 = all equal."""
    if spread < 1e-6 or mean <= 0 or mean >= 1:
        return np.full(n, mean)
    concentration = 2.0 / spread**2  # spread 0.5 -> a+b = 8; spread 1 -> a+b = 2
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)


def _tailored(positions: FloatArray, needs: FloatArray, tailoring: FloatArray) -> FloatArray:
    """Each customer's offer from their firm, by the rule of a tailored offer (``choice.tailored_of``, whose module
    imports this one), elementwise."""
    from sim.mechanisms.choice import tailored_of

    rule: Any = tailored_of.py_func  # the rule's own code, run by numpy on whole arrays
    out: FloatArray = rule(positions, needs, tailoring)
    return out


def new_customers(
    spec: Customers,
    n_firms: int,
    positions: FloatArray,
    levers: list[Levers],
    rng: np.random.Generator,
    present: IntArray | None = None,
) -> CustomerState:
    """Draw a population and spread the customers who are in the market evenly over the firms ``present`` (all)."""
    n, h = spec.count, spec.heterogeneity
    seeker = rng.random(n) < spec.relationship_seekers
    relationship_need = np.where(seeker, _trait(rng, spec.seeker_need, h, n), _trait(rng, spec.buyer_need, h, n))
    needs = rng.normal(0.0, spec.needs_spread, (n, NEEDS_DIM))
    present = np.arange(n_firms) if present is None else present
    firm = np.where(rng.random(n) < spec.in_market, present[rng.integers(0, len(present), n)], -1)
    attached = firm >= 0
    tailoring = np.array([lv.tailoring for lv in levers] + [0.0])[firm]
    pos = np.vstack([positions, np.zeros((1, NEEDS_DIM))])[firm]
    offer = _tailored(pos, needs, tailoring[:, None])
    term = np.array([lv.contract_term for lv in levers] + [0])[firm]
    opinion = np.clip(rng.normal(0.5, 0.1, (n, n_firms)), 0, 1)
    trust = np.where(attached, np.clip(rng.normal(0.55, 0.15, n), 0, 1), 0.0)
    return CustomerState(
        relationship_need=relationship_need,
        price_sensitivity=_trait(rng, spec.price_sensitivity, h, n),
        patience=_trait(rng, spec.patience, h, n),
        reactance=_trait(rng, spec.lockin_reactance, h, n),
        talkativeness=_trait(rng, spec.talkativeness, h, n),
        needs=needs,
        offer=offer,
        firm=firm,
        tenure=np.where(attached, rng.integers(0, 60, n), 0),
        trust=trust,
        bond=np.where(attached, 0.3 * relationship_need * rng.random(n), 0.0),
        satisfaction=np.where(attached, 0.6, 0.0),
        expectation=np.where(attached, 0.6, 0.0),
        resentment=np.zeros(n),
        contract_left=np.where(term > 0, rng.integers(0, np.maximum(term, 1), n), 0),
        points=np.zeros(n),
        promo_left=np.zeros(n, dtype=np.int16),
        upsell=np.zeros(n),
        complaint_wait=np.zeros(n, dtype=np.int16),
        hidden_defects=np.zeros(n, dtype=np.int16),
        trapped=np.zeros(n, dtype=bool),
        opinion=opinion,
    )


@dataclass(init=False, eq=False)
class FirmTable:
    """Per-firm lever values as arrays (one entry per firm plus a neutral "no firm" entry).

    ``table.price[state.firm]`` gives every customer the price of their firm. One
    field per field of :class:`~sim.params.Levers`, in the same order (a test checks).
    """

    levers: list[Levers]
    price: FloatArray
    contract_term: FloatArray
    exit_fee: FloatArray
    loyalty_points: FloatArray
    staff_authority: FloatArray
    tailoring: FloatArray
    listening: FloatArray
    contact_rate: FloatArray
    sales_pressure: FloatArray
    sales_target: FloatArray
    acquisition_discount: FloatArray
    discount_months: FloatArray
    marketing: FloatArray
    over_promise: FloatArray
    service_capacity: FloatArray
    service_decay: FloatArray
    surface_acting: FloatArray
    transparency: FloatArray
    decline_poor_fit: FloatArray

    def __init__(self, levers: list[Levers]) -> None:
        self.update(levers)

    def update(self, levers: list[Levers]) -> None:
        """Take new lever values (e.g. a facilitator moved a slider)."""
        self.levers = list(levers)
        for name in Levers.model_fields:
            setattr(self, name, np.array([getattr(lv, name) for lv in levers] + [0.0], dtype=float))

    def __len__(self) -> int:
        return len(self.levers)


@dataclass
class FirmState:
    """What changes inside firms from month to month (arrays of length F + 1)."""

    exhaustion: FloatArray  # staff exhaustion, 0..1
    price_factor: FloatArray  # 1 = list price; a price war lowers it
    sales_push: FloatArray  # effective sales pressure this month (targets raise it)
    customers_start: FloatArray  # customers at the start of the month
    customers_end: FloatArray  # customers at the end of the month
    load: FloatArray  # complaints to handle per unit of back-office capacity
    staff: FloatArray  # back-office capacity staffed (complaints/month)
    reserves: FloatArray  # money the firm has left
    active: BoolArray  # in the market (False: not yet entered, or left)

    @classmethod
    def fresh(cls, n_firms: int) -> FirmState:
        z = np.zeros(n_firms + 1)
        active = np.ones(n_firms + 1, dtype=bool)
        active[-1] = False
        return cls(z.copy(), np.ones(n_firms + 1), z.copy(), z.copy(), z.copy(), z.copy(), z.copy(), z.copy(), active)

    @property
    def authenticity(self) -> FloatArray:
        """Exhausted staff can only act friendly; fresh staff mean it (Hochschild 1983; Grandey 2003)."""
        return 1.0 - self.exhaustion


TallyName = Literal[
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
    "disclosed",
    "points_redeemed",
    "complaints_handled",
    "queue",
    "revenue",
    "costs",
    "profit",
]


@dataclass(init=False, eq=False)
class Tally:
    """Per-firm counts of what happened this month (arrays of length F + 1); reset at the start of every step.

    One field per name in :data:`TallyName`, in the same order (a test checks).
    """

    NAMES: ClassVar[tuple[TallyName, ...]] = get_args(TallyName)

    n_firms: int
    encounters: FloatArray
    failures: FloatArray
    complaints: FloatArray
    silent_failures: FloatArray
    resolved_first_contact: FloatArray
    resolved_later: FloatArray
    neglected: FloatArray
    defects_discovered: FloatArray
    pitches: FloatArray
    accepted_pitches: FloatArray
    care_contacts: FloatArray
    posts: FloatArray
    wom_positive: FloatArray
    wom_negative: FloatArray
    looked: FloatArray
    churned: FloatArray
    switched_out: FloatArray
    left_market: FloatArray
    acquired: FloatArray
    exit_fees: FloatArray
    disclosed: FloatArray
    points_redeemed: FloatArray
    complaints_handled: FloatArray
    queue: FloatArray
    revenue: FloatArray
    costs: FloatArray
    profit: FloatArray

    def __init__(self, n_firms: int) -> None:
        self.n_firms = n_firms
        self.reset()

    def reset(self) -> None:
        for name in self.NAMES:
            setattr(self, name, np.zeros(self.n_firms + 1))

    def add(
        self, name: TallyName, slot: IntArray, mask: BoolArray | None = None, weights: FloatArray | None = None
    ) -> None:
        """Add events (customers where ``mask``) to their firms' count of ``name``; ``slot`` as in ``MarketState.slot``."""
        getattr(self, name)[:] += by_slot(slot, self.n_firms, mask, weights)


def by_slot(
    slot: IntArray, n_firms: int, mask: BoolArray | None = None, weights: FloatArray | None = None
) -> FloatArray:
    """Sum per firm over customers, by firm slot ``0..F`` (length F + 1; slot F collects customers without a firm).

    A mask becomes zero weights rather than a selection: the sums are the same,
    bit for bit (adding 0.0 changes nothing), without copying the selected rows.
    """
    w: npt.NDArray[Any] | None = weights
    if mask is not None:
        w = mask if weights is None else np.where(mask, weights, 0.0)
    return np.bincount(slot, weights=w, minlength=n_firms + 1).astype(float)


#: Each phase draws from its own random stream, so what customers do by themselves
#: (needs, life events) is identical under every policy on the same seed: policy
#: comparisons see common random numbers.
STREAMS = ("population", "network", "needs", "service", "sales", "talk", "choice", "entry", "firms")


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
    positions: FloatArray  # (F, NEEDS_DIM) each firm's standard offer
    network: Any  # scipy.sparse CSR adjacency (scipy ships no type information)
    rng: dict[str, np.random.Generator]
    month: int = 0  # the recorded step this month will be (burn-in months are <= 0)
    elapsed: int = 0  # months simulated so far, burn-in included
    recession: float = 0.0  # current strength of a recession (0 = none)
    scores: ServiceScores = field(default_factory=ServiceScores)
    measures: Measures = field(default_factory=Measures)
    recent: RecentMonths = field(init=False)  # the last year's churners and customer base, per firm
    entry_month: IntArray | None = None  # per firm: the month it enters (0 = present from the start)
    #: Replications stepped as one state: customers ``r * N .. (r + 1) * N - 1`` and firm slots
    #: ``r * F .. (r + 1) * F - 1`` are market ``r``; the last firm slot is "no firm" for all.
    markets: int = 1
    keys: npt.NDArray[np.uint32] = field(default_factory=lambda: np.zeros((1, 2), dtype=np.uint32))  # (R, 2) seeds
    _slot: IntArray | None = None
    _scratch: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # work arrays kept between months
    _memo: dict[str, tuple[Any, Any]] = field(default_factory=dict, repr=False)  # see memo()

    def __post_init__(self) -> None:
        self.recent = RecentMonths(self.n_firms)

    @property
    def n_firms(self) -> int:
        """Firm slots over all markets of the state (R * F; per-firm arrays have one more, "no firm")."""
        return len(self.levers)

    @property
    def firms_per_market(self) -> int:
        """F: firms in each market (replication) of the state."""
        return self.n_firms // self.markets

    @property
    def customers_per_market(self) -> int:
        """N: customers in each market (replication) of the state."""
        return self.customers.n // self.markets

    @property
    def slot(self) -> IntArray:
        """Each customer's firm as an index into per-firm arrays, ``F`` for no firm (cached).

        Computed once and reused by every phase; whoever changes ``customers.firm``
        calls :meth:`firms_changed` (``switching.detach`` and ``switching.join`` do).
        """
        if self._slot is None:
            firm = self.customers.firm  # -1 (no firm) becomes F; integer arithmetic is quicker than a modulo
            self._slot = firm + (firm < 0) * firm.dtype.type(self.n_firms + 1)
        return self._slot

    def scratch(self, name: str, shape: tuple[int, ...], dtype: Any, fill: float = 0) -> np.ndarray:
        """A work array of a kernel kept between months (no fresh pages to touch each month): filled with ``fill``
        when first made, and left so again by the kernel that uses it."""
        out = self._scratch.get(name)
        if out is None or out.shape != shape or out.dtype != dtype:
            out = self._scratch[name] = np.full(shape, fill, dtype=dtype)
        return out

    def memo(self, name: str, key: Any, make: Callable[[], Any]) -> Any:
        """``make()``, made again only when ``key`` (what it is made of) differs from the last call's."""
        found = self._memo.get(name)
        if found is None or found[0] != key:
            found = self._memo[name] = (key, make())
        return found[1]

    def firms_changed(self) -> None:
        """Forget the cached :attr:`slot` after ``customers.firm`` was written."""
        self._slot = None

    def reference_price(self) -> float:
        """Mean list price in the market, the yardstick of 'expensive' (of a single market)."""
        if self.markets != 1:
            raise ValueError("a batch of markets has one reference price per market: use reference_prices()")
        return float(self.reference_prices()[0])

    def reference_prices(self) -> FloatArray:
        """(R,) mean list price (price war included) of each market's firms in the market, the yardstick of 'expensive'."""
        out: FloatArray = _reference_prices(self.markets, self.levers.price, self.firms.price_factor, self.firms.active)
        return out


@njit(cache=True, error_model="numpy")
def _reference_prices(  # pragma: no cover - compiled
    markets: int, price: np.ndarray, price_factor: np.ndarray, active: np.ndarray
) -> np.ndarray:
    """Each market's mean price of its active firms (of all its firms when none is active)."""
    F = (price.shape[0] - 1) // markets
    out = np.empty(markets)
    for r in range(markets):
        total, n, every = 0.0, 0, 0.0
        for g in range(r * F, (r + 1) * F):
            p = price[g] * price_factor[g]
            every += p
            if active[g]:
                total += p
                n += 1
        out[r] = total / n if n > 0 else every / F
    return out


class RecentMonths:
    """Per-firm churners and customer base of the last ``months`` months (a ring buffer), for yearly rates."""

    def __init__(self, n_firms: int, months: int = 12):
        self.churned = np.zeros((months, n_firms + 1))
        self.base = np.zeros((months, n_firms + 1))  # mean customers over each month
        self.filled = 0

    def push(self, churned: FloatArray, base: FloatArray) -> None:
        """Remember one month: who churned, and the customers the firm had on average over it."""
        row = self.filled % len(self.churned)
        self.churned[row], self.base[row] = churned, base
        self.filled += 1

    def per_customer_year(self) -> FloatArray:
        """Churners per customer-year over the months remembered (NaN before the first month or without customers)."""
        customer_years = self.base.sum(axis=0) / 12.0
        churned = self.churned.sum(axis=0)
        out: FloatArray = np.divide(
            churned, customer_years, out=np.full_like(churned, np.nan), where=customer_years > 0
        )
        return out
