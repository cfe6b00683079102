"""Typed, bounded parameters of a market (the scenario schema).

Following EMA Workbench, what a firm *decides* (its policy levers, :class:`Levers`)
is kept apart from what it cannot control (customers, behaviour, economics,
network). Every field has a unit, a bound and a one-line meaning. A whole market
(firms, shocks, horizon) is a :class:`sim.scenario.Scenario` built from these
sections; this module depends on nothing else in the package, so policies,
shocks and the market state can all be built on top of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic.fields import FieldInfo

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """Base for all schema classes: unknown keys are errors, instances are immutable, types are strict.

    Strict types (pydantic's strict mode) reject what is surely a mistake, a boolean or a string for a
    number, instead of coercing it (``years = true`` is not one year); a whole number is still accepted for
    a real-valued field, as TOML writes ``3`` for ``3.0``. Numpy scalars (from samplers) count as numbers.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _plain_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(isinstance(v, np.generic) for v in data.values()):
            return {k: v.item() if isinstance(v, np.generic) else v for k, v in data.items()}
        return data


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


def _all_optional(model: type[BaseModel], name: str) -> type[Strict]:
    fields: dict[str, Any] = {
        k: (cast(Any, f.annotation) | None, Field(None, description=f.description, **_bounds(f)))
        for k, f in model.model_fields.items()
    }
    return create_model(name, __base__=Strict, **fields)


def _bounds(field: FieldInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in field.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(m, key, None) is not None:
                out[key] = getattr(m, key)
    return out


if TYPE_CHECKING:  # type checkers see a schema class; at run time it is built from Levers, field by field
    LeverOverrides = Strict
else:
    LeverOverrides = _all_optional(Levers, "LeverOverrides")
    LeverOverrides.__doc__ = "Lever values a scenario sets on top of a policy preset (same names and bounds as Levers)."


class Customers(Strict):
    """Who the customers are and how they change by themselves."""

    count: int = Field(2000, ge=10, le=5_000_000, description="customers in the market (with a firm or not)")
    in_market: Share = Field(0.9, description="share that start as a customer of some firm")
    relationship_seekers: Share = Field(0.4, description="share who want a partner rather than a transaction")
    seeker_need: Share = Field(
        0.75, description="mean relationship need of relationship seekers (0 = just buy, 1 = want a partner)"
    )
    buyer_need: Share = Field(0.2, description="mean relationship need of everyone else, who mostly just want to buy")
    price_sensitivity: Share = Field(0.5, description="mean weight on price")
    patience: Share = Field(0.5, description="mean tolerance of waiting")
    lockin_reactance: Share = Field(0.5, description="mean strength of resentment when feeling trapped")
    talkativeness: Share = Field(0.2, description="mean chance per month of telling others about one's firm")
    heterogeneity: Share = Field(0.5, description="spread of traits around their means (0 = everyone alike)")
    needs_volatility: float = Field(0.03, ge=0, le=0.5, description="s.d. of the monthly drift of needs")
    needs_reversion: Share = Field(0.01, description="monthly pull of needs back to the market's centre")
    life_event_rate: Share = Field(0.01, description="chance per month of a life event that makes needs jump")
    life_event_size: float = Field(0.3, ge=0, le=2, description="s.d. of the jump of needs at a life event")
    needs_spread: float = Field(
        0.3, ge=0, le=2, description="s.d. of initial needs around the market's centre, per axis"
    )
    firm_radius: float = Field(
        0.3, ge=0, le=2, description="distance of each firm's standard offer from the market's centre (equally spaced)"
    )
    recession_contraction: Share = Field(
        0.5,
        description="share of the distance of needs from the market's centre lost when a recession starts, per unit of severity",
    )


class Network(Strict):
    """The social network over which customers talk (word of mouth)."""

    kind: Literal["small_world", "scale_free", "random"] = Field(
        "small_world", description="network family (Watts-Strogatz, Barabasi-Albert, Erdos-Renyi)"
    )
    degree: int = Field(8, ge=2, le=100, description="mean number of acquaintances")
    rewiring: Share = Field(0.1, description="small-world rewiring probability")


class Behaviour(Strict):
    """How customers judge, trust, bond, talk and choose.

    The defaults of ``choice_noise``, ``inertia``, ``trust_gain``, ``weight_service`` and ``bond_gain`` are
    calibrated: the weighted posterior mean of ``calibration/status_quo.toml`` (industry churn, the TARP
    gradient of repurchase intention, the share of bonded customers; docs/ODD.md, section 8).
    """

    usage_rate: Share = Field(0.5, description="chance per month of a service encounter")
    base_failure: Share = Field(0.08, description="chance that an encounter fails even at full service quality")
    complaint_propensity: Share = Field(
        0.6, description="chance that a fully trusting customer complains about a failure (others stay silent)"
    )
    voice_floor: Share = Field(
        0.3, description="share of complaint_propensity left to a customer with no trust at all (voice needs trust)"
    )
    defect_discovery: Share = Field(
        0.1, description="chance per month that a customer discovers each undisclosed defect, independently"
    )
    tenure_horizon: int = Field(
        120, ge=1, le=600, description="months of tenure over which service_decay takes full effect"
    )
    trust_gain: Share = Field(0.335, description="monthly rate at which trust moves up towards a better experience")
    trust_asymmetry: float = Field(3.0, ge=0.1, le=20, description="how many times faster trust falls than it rises")
    bond_gain: Share = Field(0.671, description="monthly rate at which warm, authentic contact builds emotional bond")
    bond_decay: Share = Field(0.01, description="monthly fading of emotional bond without contact")
    bond_loss: Share = Field(0.1, description="monthly loss of bond in a bad month, scaled by how bad it was")
    bad_month: float = Field(
        0.5, gt=0, le=1, description="experience below which a month is bad: bond_loss scales with the shortfall"
    )
    expectation_rate: Share = Field(0.1, description="monthly rate at which expectations adapt to experience")
    satisfaction_memory: Share = Field(0.5, description="weight of last month's satisfaction in this month's")
    disconfirmation: float = Field(
        0.5, ge=0, le=2, description="weight of experience-minus-expectation in satisfaction"
    )
    weight_fit: float = Field(0.5, ge=0, le=1, description="weight of needs fit in a month's experience")
    weight_service: float = Field(0.683, ge=0, le=1, description="weight of service in a month's experience")
    weight_value: float = Field(0.15, ge=0, le=1, description="weight of price fairness in a month's experience")
    fit_width: float = Field(0.4, gt=0, le=5, description="needs distance at which fit has fallen to 0.61")
    fairness_sensitivity: Share = Field(0.5, description="how much it hurts to pay more than new customers get")
    sales_annoyance: Share = Field(0.3, description="experience lost in a month with a sales pitch")
    care_annoyance: Share = Field(
        0.5, description="annoyance of a care contact to a pure buyer, as a share of a pitch's (sales_annoyance)"
    )
    pitch_acceptance: Share = Field(0.5, description="chance that a customer who ignores price accepts a pitch")
    target_gain: float = Field(
        1.0, ge=0, le=10, description="relative rise of sales pressure per unit of shortfall against the sales target"
    )
    push_misfit: float = Field(0.2, ge=0, le=2, description="s.d. of the misfit added by an accepted pushed offer")
    upsell_price: float = Field(
        0.15, ge=0, le=5, description="monthly price added by an accepted pushed offer, in monthly prices"
    )
    resentment_rate: Share = Field(0.1, description="monthly growth of resentment while trapped, times reactance")
    resentment_decay: Share = Field(0.05, description="monthly fading of resentment when not trapped")
    resentment_weight: Share = Field(0.3, description="experience lost per unit of resentment")
    advocacy_trust: Share = Field(0.4, description="weight of trust in how warmly a customer speaks of the firm")
    advocacy_satisfaction: Share = Field(0.4, description="weight of satisfaction in how warmly a customer speaks")
    advocacy_bond: Share = Field(0.2, description="weight of emotional bond in how warmly a customer speaks")
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
    inertia: float = Field(0.177, ge=0, le=1, description="utility gain needed before a customer wants to move")
    choice_noise: float = Field(0.0284, ge=0, le=1, description="scale of the random part of a choice (logit)")
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
    authority_buffer: Share = Field(
        0.5, description="share of surface-acting strain that full authority to decide takes away (Karasek 1979)"
    )
    exhaustion_quality: Share = Field(0.4, description="service quality lost at full exhaustion")
    acting_lift: Share = Field(
        0.1,
        description="service score and warmth added to a good encounter per unit of surface acting by fresh staff",
    )
    acting_exposure: float = Field(
        0.5,
        gt=0,
        le=1,
        description="staff exhaustion at which displayed enthusiasm stops helping; beyond it, it reads as fake "
        "and hurts",
    )
    disclosure_dip: Share = Field(
        0.02, description="share of trust a customer loses at once when the firm discloses a defect to them"
    )
    discovery_loss: Share = Field(
        0.1, description="share of trust a customer loses at once on finding a defect the firm hid"
    )
    points_redemption: Share = Field(
        0.05, description="share of a customer's loyalty-points balance redeemed each month"
    )
    exit_signal_strength: Share = Field(
        0.1,
        description="how far visible freedom to leave raises (and visible lock-in lowers) a new customer's "
        "starting trust and the pull to join, in trust units (0 = no effect)",
    )
    exit_signal_scale: float = Field(
        4.0, gt=0, le=100, description="visible exit burden (monthly prices) at which freedom to leave is 1/e"
    )
    term_burden: float = Field(
        0.1, ge=0, le=2, description="visible exit burden of each month of minimum contract term, in monthly prices"
    )
    resteer_threshold: Share = Field(
        0.05, description="share of customers lost over a year at which a re-steering firm pushes sales harder"
    )
    resteer_step: Share = Field(
        0.05, description="rise of sales pressure and acquisition discount each month a re-steering firm reacts"
    )


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
    discount_rate: float = Field(
        0.01, ge=0.001, le=0.2, description="monthly discount rate for customer lifetime value (above 0: finite)"
    )
    decay_saving: Share = Field(
        0.5, description="share of service cost saved on a customer whose service has fully decayed"
    )
    disclosure_cost: float = Field(0.2, ge=0, le=10, description="cost of disclosing one defect (notice, goodwill)")
    points_cost: Share = Field(
        0.6, description="cost to the firm of redeeming points worth one monthly price (rewards cost less than face)"
    )
    hiring_lag: float = Field(
        6.0, ge=1, le=60, description="months over which back-office staff follow the capacity the customer base needs"
    )
    contact_time: float = Field(
        0.05, ge=0, le=2, description="back-office capacity one contact uses, in complaints' worth of staff time"
    )
    listening_time: float = Field(
        0.2, ge=0, le=5, description="back-office capacity per customer per month per unit of listening"
    )
    training_time: Share = Field(
        0.1, description="share of back-office time spent in training at full staff authority and full tailoring"
    )
    starting_reserves: float = Field(
        6.0,
        ge=0,
        le=1000,
        description="reserves a firm starts (or enters) with, in monthly prices per customer of an equal share of "
        "the market",
    )


class ServiceScores(Strict):
    """Service score of a month by what happened to the customer (the worst event of the month counts).

    The scores set the service-recovery gradient. A failure put right at once scores a little below a month
    without failure - the recovery paradox raises satisfaction but not loyalty (de Matos, Henrique & Rossi
    2007, meta-analysis); a defect the firm hid scores lowest - a deception found out (Slovic 1993). The scores
    of a silent failure, of a complaint put right after waiting and of one the firm let drop (``neglected``:
    a failed recovery is a second failure, Bitner, Booms & Tetreault 1990; Maxham & Netemeyer 2002) are
    calibrated to TARP's gradient of repurchase intention (1979, 1986: 37 % would buy again after a problem
    not complained about, 46 % after a complaint not resolved, 70 % resolved, 95 % resolved quickly).
    """

    quiet: Share = Field(0.8, description="a month without an encounter")
    good: Share = Field(
        0.8, description="a good encounter with exhausted staff; fresh, authentic staff add up to 1 - good"
    )
    resolved_first_contact: Share = Field(0.7, description="a failure put right at first contact (service recovery)")
    resolved_later: Share = Field(0.441, description="a complaint put right after waiting in the back office")
    waiting: Share = Field(
        0.3, description="a month waiting on a complaint, times patience (waiting hurts the impatient)"
    )
    silent_failure: Share = Field(0.0748, description="a failure suffered without complaining")
    neglected: Share = Field(0.277, description="a complaint given up on after waiting too long (the firm let it drop)")
    defect_discovered: Share = Field(0.0, description="a defect the firm had hidden, found out")


class Measures(Strict):
    """How outcomes are read from the state; these change no dynamics, only what is reported.

    Defaults: the recommend balance follows the net promoter score's top and bottom bands (Reichheld 2003:
    9-10 promoters, 0-6 detractors on a 0-10 scale, here 0.7 and 0.4 of advocacy, set by calibration); the
    typology's thresholds put the boundaries where trust and bond are clearly high (0.6) or broken (0.35).
    """

    promoter: Share = Field(0.7, description="advocacy from which a customer counts as a promoter")
    detractor: Share = Field(0.4, description="advocacy below which a customer counts as a detractor")
    speaks_well: Share = Field(0.6, description="advocacy from which word of mouth counts as positive")
    speaks_ill: Share = Field(0.4, description="advocacy below which word of mouth counts as negative")
    estranged_trust: Share = Field(0.35, description="trust below which a relationship counts as estranged")
    devoted_level: Share = Field(0.6, description="trust and bond from which a relationship counts as devoted")
    routine_tenure: int = Field(
        24, ge=0, le=600, description="months together from which a trusting relationship is routine"
    )
    routine_trust: Share = Field(0.5, description="trust from which a long relationship counts as routine")

    @model_validator(mode="after")
    def _ordered(self) -> Measures:
        if self.detractor > self.promoter:
            raise ValueError("detractor must not exceed promoter")
        if self.speaks_ill > self.speaks_well:
            raise ValueError("speaks_ill must not exceed speaks_well")
        return self


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
    exit_signal: bool = Field(
        True,
        description="what a firm demands to let a customer go is seen before joining and moves starting trust, "
        "the choice to join and reactance (off: terms only tie)",
    )
    firm_exit: bool = Field(
        True, description="a firm whose reserves run out leaves the market (off: firms never leave)"
    )
    firm_entry: bool = Field(True, description="firms with an entry year enter then (off: they never enter)")
    re_steering: bool = Field(
        False, description="firms losing customers push sales harder month by month (Policy.adapt)"
    )
