"""Typed, bounded parameters of a market (the scenario schema).

Following EMA Workbench, what a firm *decides* (its policy levers, :class:`Levers`)
is kept apart from what it cannot control (customers, behaviour, economics,
network, shocks). Every field has a unit, a bound and a one-line meaning; the
scenario files in ``scenarios/`` are validated against these classes, so a typo
or an impossible value is rejected before anything runs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """Base for all schema classes: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Levers(Strict):
    """What a firm decides: the levers a relationship policy is made of."""

    price: float = Field(1.0, gt=0, le=10, description="monthly list price (money units)")
    contract_term: int = Field(
        0, ge=0, le=60, description="minimum contract term in months, renewed automatically; 0 = leave any month"
    )
    exit_fee: float = Field(0.0, ge=0, le=24, description="fee for leaving before the term ends, in monthly prices")
    loyalty_points: float = Field(
        0.0, ge=0, le=1, description="loyalty points earned per month, in monthly prices; all lost on leaving"
    )
    staff_authority: Share = Field(
        0.3, description="chance that front-line staff may and can resolve a complaint at first contact"
    )
    tailoring: Share = Field(0.2, description="how closely a new offer is fitted to the customer's current needs")
    listening: Share = Field(
        0.02, description="monthly share of the gap between offer and drifted needs that the firm closes"
    )
    contact_rate: Share = Field(0.1, description="chance per month that the firm contacts a customer")
    sales_pressure: Share = Field(
        0.3, description="share of contacts that push an offer (sales bonuses), the rest are care contacts"
    )
    sales_target: Share = Field(
        0.0,
        description="monthly acquisitions targeted, as a share of the customer base; missing it raises sales pressure (0 = no budget)",
    )
    acquisition_discount: Share = Field(
        0.1, description="price cut offered to new customers only (the loyalty penalty)"
    )
    discount_months: int = Field(6, ge=0, le=36, description="months a new customer's discount lasts")
    marketing: float = Field(0.5, ge=0, le=5, description="advertising effort (0 = none, 1 = strong)")
    over_promise: Share = Field(0.1, description="how far advertised quality exceeds delivered quality")
    service_capacity: float = Field(
        3.0, ge=0, le=100, description="escalated complaints the back office resolves per month per 100 customers"
    )
    service_decay: Share = Field(
        0.2, description="share of service quality lost as a relationship ages towards ten years"
    )
    surface_acting: Share = Field(0.5, description="displayed enthusiasm demanded of staff regardless of how they feel")
    transparency: Share = Field(0.3, description="share of service defects the firm discloses itself")
    decline_poor_fit: Share = Field(
        0.0, description="minimum needs fit an applicant must have to be accepted (0 = accept everyone)"
    )


def _all_optional(model: type[BaseModel], name: str) -> type[BaseModel]:
    fields = {
        k: (f.annotation | None, Field(None, description=f.description, **_bounds(f)))
        for k, f in model.model_fields.items()
    }
    return create_model(name, __base__=Strict, **fields)


def _bounds(field) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in field.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(m, key, None) is not None:
                out[key] = getattr(m, key)
    return out


LeverOverrides = _all_optional(Levers, "LeverOverrides")
LeverOverrides.__doc__ = "Lever values a scenario sets on top of a policy preset (same names and bounds as Levers)."


class Customers(Strict):
    """Who the customers are and how they change by themselves."""

    count: int = Field(2000, ge=10, le=5_000_000, description="customers in the market (with a firm or not)")
    in_market: Share = Field(0.9, description="share that start as a customer of some firm")
    relationship_seekers: Share = Field(0.4, description="share who want a partner rather than a transaction")
    price_sensitivity: Share = Field(0.5, description="mean weight on price")
    patience: Share = Field(0.5, description="mean tolerance of waiting")
    lockin_reactance: Share = Field(0.5, description="mean strength of resentment when feeling trapped")
    talkativeness: Share = Field(0.2, description="mean chance per month of telling others about one's firm")
    heterogeneity: Share = Field(0.5, description="spread of traits around their means (0 = everyone alike)")
    needs_volatility: float = Field(0.03, ge=0, le=0.5, description="s.d. of the monthly drift of needs")
    needs_reversion: Share = Field(0.01, description="monthly pull of needs back to the market's centre")
    life_event_rate: Share = Field(0.01, description="chance per month of a life event that makes needs jump")
    life_event_size: float = Field(0.3, ge=0, le=2, description="s.d. of the jump of needs at a life event")


class Network(Strict):
    """The social network over which customers talk (word of mouth)."""

    kind: Literal["small_world", "scale_free", "random"] = Field(
        "small_world", description="network family (Watts-Strogatz, Barabasi-Albert, Erdos-Renyi)"
    )
    degree: int = Field(8, ge=2, le=100, description="mean number of acquaintances")
    rewiring: Share = Field(0.1, description="small-world rewiring probability")


class Behaviour(Strict):
    """How customers judge, trust, bond, talk and choose."""

    usage_rate: Share = Field(0.5, description="chance per month of a service encounter")
    base_failure: Share = Field(0.08, description="chance that an encounter fails even at full service quality")
    complaint_propensity: Share = Field(
        0.6, description="chance that a fully trusting customer complains about a failure (others stay silent)"
    )
    defect_discovery: Share = Field(0.1, description="chance per month that a customer discovers an undisclosed defect")
    trust_gain: Share = Field(0.05, description="monthly rate at which trust moves up towards a better experience")
    trust_asymmetry: float = Field(3.0, ge=0.1, le=20, description="how many times faster trust falls than it rises")
    bond_gain: Share = Field(0.08, description="monthly rate at which warm, authentic contact builds emotional bond")
    bond_decay: Share = Field(0.01, description="monthly fading of emotional bond without contact")
    bond_loss: Share = Field(0.1, description="monthly loss of bond in a bad month, scaled by how bad it was")
    expectation_rate: Share = Field(0.1, description="monthly rate at which expectations adapt to experience")
    disconfirmation: float = Field(
        0.5, ge=0, le=2, description="weight of experience-minus-expectation in satisfaction"
    )
    weight_fit: float = Field(0.5, ge=0, le=1, description="weight of needs fit in a month's experience")
    weight_service: float = Field(0.35, ge=0, le=1, description="weight of service in a month's experience")
    weight_value: float = Field(0.15, ge=0, le=1, description="weight of price fairness in a month's experience")
    fit_width: float = Field(0.4, gt=0, le=5, description="needs distance at which fit has fallen to 0.61")
    fairness_sensitivity: Share = Field(0.5, description="how much it hurts to pay more than new customers get")
    sales_annoyance: Share = Field(0.3, description="experience lost in a month with a sales pitch")
    push_misfit: float = Field(0.2, ge=0, le=2, description="s.d. of the misfit added by an accepted pushed offer")
    upsell_price: float = Field(
        0.15, ge=0, le=5, description="monthly price added by an accepted pushed offer, in monthly prices"
    )
    resentment_rate: Share = Field(0.1, description="monthly growth of resentment while trapped, times reactance")
    resentment_decay: Share = Field(0.05, description="monthly fading of resentment when not trapped")
    resentment_weight: Share = Field(0.3, description="experience lost per unit of resentment")
    wom_weight: Share = Field(0.1, description="pull of a month's word of mouth on a listener's opinion")
    post_threshold: Share = Field(0.25, description="advocacy below which a talkative customer may post publicly")
    public_reach: Share = Field(0.002, description="share of the market one public post reaches")
    public_impact: Share = Field(0.3, description="opinion lost by a customer who reads a post")
    ad_effect: Share = Field(0.02, description="monthly pull of advertising on opinions, per unit of marketing")
    opinion_memory: Share = Field(0.01, description="monthly fading of opinions back to neutral")
    review_rate: Share = Field(0.05, description="chance per month of looking around without a reason")
    trigger_review: Share = Field(
        0.5, description="chance of looking around after a trigger (failure, life event, pitch, renewal)"
    )
    weight_trust: float = Field(0.4, ge=0, le=2, description="weight of trust (or opinion) in choosing a firm")
    weight_bond: float = Field(0.3, ge=0, le=2, description="weight of emotional bond in staying")
    weight_price: float = Field(
        0.5, ge=0, le=2, description="weight of price relative to the market's mean, times price sensitivity"
    )
    switching_cost_weight: float = Field(
        0.05, ge=0, le=1, description="utility per monthly price of exit fee and lost points"
    )
    inertia: float = Field(0.1, ge=0, le=1, description="utility gain needed before a customer wants to move")
    choice_noise: float = Field(0.1, ge=0, le=1, description="scale of the random part of a choice (logit)")
    outside_option: float = Field(0.3, ge=-1, le=2, description="utility of buying from no firm")
    reentry_rate: Share = Field(
        0.03, description="chance per month that a customer without a firm comes back to the market"
    )
    max_wait: int = Field(
        6, ge=1, le=36, description="months the most patient customer waits on a complaint before giving up"
    )
    exhaustion_rate: Share = Field(0.1, description="monthly growth of staff exhaustion per unit of strain")
    recovery_rate: Share = Field(0.1, description="monthly recovery of exhausted staff")
    overload_strain: float = Field(0.3, ge=0, le=5, description="strain per unit of complaint load above capacity")
    target_strain: float = Field(0.3, ge=0, le=5, description="strain per unit of sales pressure")
    exhaustion_quality: Share = Field(0.4, description="service quality lost at full exhaustion")


class Economics(Strict):
    """Costs a firm faces, in monthly-price units per customer or per event."""

    service_cost: float = Field(0.5, ge=0, le=10, description="cost of serving a customer for a month")
    complaint_cost: float = Field(0.3, ge=0, le=10, description="cost of handling one complaint")
    capacity_cost: float = Field(
        0.1, ge=0, le=10, description="monthly cost per unit of service capacity per 100 customers"
    )
    empowerment_cost: float = Field(
        0.2, ge=0, le=10, description="monthly cost per customer of staff with full authority (skills, time)"
    )
    tailoring_cost: float = Field(0.1, ge=0, le=10, description="monthly cost per customer of fully tailored offers")
    acquisition_cost: float = Field(2.0, ge=0, le=50, description="cost of winning one new customer")
    marketing_cost: float = Field(
        0.02, ge=0, le=10, description="monthly cost per unit of marketing per customer in the market"
    )
    discount_rate: float = Field(0.01, ge=0, le=0.2, description="monthly discount rate for customer lifetime value")


class Mechanisms(Strict):
    """Switches: each mechanism of the model can be turned off to see what it does."""

    needs_drift: bool = Field(True, description="needs drift month by month (needs.drift_needs)")
    life_events: bool = Field(True, description="life events make needs jump and trigger a look around")
    service_failures: bool = Field(True, description="service encounters can fail")
    complaints: bool = Field(
        True, description="customers may complain about a failure (off: all failures are suffered in silence)"
    )
    queues: bool = Field(
        True, description="back-office capacity limits how fast escalated complaints are resolved (off: all at once)"
    )
    hidden_defects: bool = Field(
        True, description="firms may hide defects that customers discover later (off: all are disclosed)"
    )
    trust_asymmetry: bool = Field(
        True, description="trust falls trust_asymmetry times faster than it rises (off: equally fast)"
    )
    emotional_bond: bool = Field(True, description="warm, authentic contact builds emotional bond (off: no bond)")
    staff_exhaustion: bool = Field(
        True, description="strain exhausts staff, lowering quality and authenticity (off: staff stay fresh)"
    )
    sales_contacts: bool = Field(True, description="firms contact customers to sell or to care (off: no contacts)")
    loyalty_penalty: bool = Field(True, description="paying more than new customers are offered feels unfair")
    resentment: bool = Field(True, description="feeling trapped breeds resentment that sours experience")
    word_of_mouth: bool = Field(True, description="customers tell network contacts about their firm")
    public_channel: bool = Field(
        True, description="customers with low advocacy post publicly, reaching the whole market"
    )
    advertising: bool = Field(True, description="advertising pulls opinions and expectations towards the firm's claim")
    switching: bool = Field(True, description="customers may switch firm or leave the market (off: everyone stays)")


class FirmSpec(Strict):
    """One firm in the market: a name, a policy preset and optional lever overrides."""

    name: str = Field(min_length=1, max_length=40, description="the firm's name as shown in results")
    policy: str = Field(description="name of a registered policy preset")
    levers: LeverOverrides = Field(default_factory=LeverOverrides)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _known_policy(self) -> FirmSpec:
        from sim.policies import POLICIES, suggest

        if self.policy not in POLICIES:
            raise ValueError(f"unknown policy {self.policy!r}{suggest(self.policy, POLICIES)}")
        return self

    def resolved_levers(self) -> Levers:
        """The preset's levers with this firm's overrides applied."""
        from sim.policies import POLICIES

        base = POLICIES[self.policy].levers.model_dump()
        base.update(self.levers.model_dump(exclude_none=True))
        return Levers(**base)


class Shock(Strict):
    """An event a scenario schedules: a scandal, a competitor's price war, a recession."""

    kind: Literal["scandal", "price_war", "recession"] = Field(description="what happens")
    year: float = Field(ge=0, le=100, description="when it starts, in simulated years")
    firm: str | None = Field(None, description="the firm hit by a scandal or starting a price war")
    severity: Share = Field(0.5, description="strength: trust lost, price cut, or shift of needs")
    months: int = Field(12, ge=1, le=120, description="how long a price war or recession lasts")

    @model_validator(mode="after")
    def _firm_needed(self) -> Shock:
        if self.kind in ("scandal", "price_war") and self.firm is None:
            raise ValueError(f"a {self.kind} needs a firm")
        return self


class Scenario(Strict):
    """A market: customers, their network and behaviour, firms with policies, and shocks."""

    name: str = Field("market", min_length=1, description="short name, stamped on every result row")
    description: str = Field("", description="what the scenario is for")
    years: float = Field(10.0, gt=0, le=100, description="horizon in simulated years (a step is a month)")
    seed: int | None = Field(
        None, ge=0, description="seed of the run; all randomness flows from it (none = fresh entropy, recorded)"
    )
    customers: Customers = Field(default_factory=Customers)
    network: Network = Field(default_factory=Network)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    economics: Economics = Field(default_factory=Economics)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    firms: list[FirmSpec] = Field(min_length=1, max_length=16)
    shocks: list[Shock] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        names = [f.name for f in self.firms]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"firm names must be unique, repeated: {', '.join(dupes)}")
        for shock in self.shocks:
            if shock.firm is not None and shock.firm not in names:
                from sim.policies import suggest

                raise ValueError(f"shock names unknown firm {shock.firm!r}{suggest(shock.firm, names)}")
        if self.network.degree >= self.customers.count:
            raise ValueError("network.degree must be smaller than customers.count")
        return self

    @property
    def months(self) -> int:
        """Number of monthly steps in the horizon."""
        return max(1, round(self.years * 12))

    def with_changes(self, **changes: Any) -> Scenario:
        """A validated copy with fields changed, e.g. ``years=5, seed=3``; None leaves a field alone.

        A dict for a section changes only the fields it names: ``customers={"count": 800}`` keeps the
        section's other values.
        """
        data = self.model_dump()
        for key, value in changes.items():
            if value is None:
                continue
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                value = {**data[key], **value}
            data[key] = value
        return Scenario.model_validate(data)
