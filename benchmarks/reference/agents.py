"""Customers and firms as plain Mesa agents: one object per customer, one method per phase.

The rules are those of ``sim.mechanisms`` (each method names the engine function it
mirrors); every number that shapes an outcome is read from the scenario, as in the engine.
"""

from __future__ import annotations

import math

import mesa

from sim.mechanisms.exit_signal import YEAR
from sim.mechanisms.switching import TIES
from sim.mechanisms.word_of_mouth import NEUTRAL


def clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


class FirmAgent(mesa.Agent):
    """A firm: its levers, its staff pool, and this month's counts."""

    def __init__(self, model, index: int, name: str, levers, position: tuple[float, float]):
        super().__init__(model)
        self.index, self.name, self.lv, self.position = index, name, levers, position
        self.exhaustion, self.price_factor, self.sales_push = 0.0, 1.0, 0.0
        self.customers_start = self.customers_end = 0
        self.tally: dict[str, float] = {}
        self.acquired_last_month, self.total_churned = 0, 0
        self.share_done, self.capacity, self.queue, self.reached = 1.0, 0.0, 0, 0.0
        self.staff, self.reserves, self.active, self.entry_month = 0.0, 0.0, True, 0
        self.history: list[float] = []  # customers at the end of each month, for re-steering

    def freedom(self) -> float:
        """``exit_signal.freedom``: how free a customer is to leave, as seen before joining."""
        lv, b = self.lv, self.model.scenario.behaviour
        burden = (lv.exit_fee if lv.contract_term > 0 else 0.0) + b.term_burden * lv.contract_term
        return math.exp(-(burden + YEAR * lv.loyalty_points) / b.exit_signal_scale)

    def signal(self) -> float:
        """``exit_signal.signal``: starting trust gained (or lost) from the firm's exit terms."""
        if not self.model.scenario.mechanisms.exit_signal:
            return 0.0
        return self.model.scenario.behaviour.exit_signal_strength * (2.0 * self.freedom() - 1.0)

    def displayed_enthusiasm(self) -> float:
        """``staff.displayed_enthusiasm``: what surface acting adds to a good encounter."""
        b = self.model.scenario.behaviour
        return b.acting_lift * self.lv.surface_acting * (1.0 - self.exhaustion / b.acting_exposure)

    @property
    def authenticity(self) -> float:
        return 1.0 - self.exhaustion

    def count(self, name: str, amount: float = 1) -> None:
        self.tally[name] = self.tally.get(name, 0) + amount

    def begin_month(self) -> None:
        """``sales.set_sales_pressure``: a missed sales target raises pressure; counters restart."""
        lv = self.lv
        rate = self.acquired_last_month / max(self.customers_start, 1.0)
        measured = lv.sales_target > 0 and self.model.elapsed > 1  # no last month in the first
        shortfall = clip(1 - rate / max(lv.sales_target, 1e-9)) if measured else 0.0
        self.sales_push = clip(lv.sales_pressure * (1 + self.model.scenario.behaviour.target_gain * shortfall))
        self.tally = {}
        self.customers_start = self.customers_end

    def open_back_office(self, customers, queues_on: bool) -> None:
        """``service.serve_customers``: share of waiting complaints the back office clears this month."""
        self.queue = sum(1 for c in customers if c.firm is self and c.complaint_wait > 0)
        lv, e, n = self.lv, self.model.scenario.economics, self.customers_start
        self.staff = self.staff + (lv.service_capacity / 100.0 * n - self.staff) / e.hiring_lag if self.active else 0.0
        contacts = e.contact_time * (lv.contact_rate if self.model.scenario.mechanisms.sales_contacts else 0.0) * n
        trained = self.staff * (1.0 - e.training_time * (lv.staff_authority + lv.tailoring) / 2.0)
        self.capacity = max(trained - contacts - e.listening_time * lv.listening * n, 0.0)
        self.share_done = min(1.0, self.capacity / max(self.queue, 1e-9)) if queues_on else 1.0

    def update_staff(self) -> None:
        """``staff.update_staff``: strain from surface acting, overload and sales pressure."""
        m, lv = self.model, self.lv
        b = m.scenario.behaviour
        load = (self.tally.get("escalated", 0) + self.queue) / max(self.capacity, 1e-9)
        if not m.scenario.mechanisms.staff_exhaustion:
            return
        strain = (
            lv.surface_acting * (1 - b.authority_buffer * lv.staff_authority)
            + b.overload_strain * max(load - 1.0, 0.0)
            + b.target_strain * self.sales_push
        )
        self.exhaustion = clip(
            self.exhaustion + b.exhaustion_rate * strain * (1 - self.exhaustion) - b.recovery_rate * self.exhaustion
        )

    def settle_accounts(self) -> None:
        """``economics.settle_accounts``: revenue, costs, profit; the month's customer count."""
        m, lv, e = self.model, self.lv, self.model.scenario.economics
        mine = [c for c in m.customer_agents if c.firm is self]
        n = len(mine)
        b = m.scenario.behaviour
        for c in mine:  # ``economics.settle_accounts`` (points redeemed)
            redeemed = b.points_redemption * c.points
            c.points -= redeemed
            self.count("points_redeemed", redeemed * lv.price)
        revenue = sum(c.price_paid() for c in mine) + self.tally.get("exit_fees", 0.0)
        handled = self.tally.get("resolved_first_contact", 0) + self.tally.get("resolved_later", 0)
        decayed = sum(lv.service_decay * min(c.tenure / b.tenure_horizon, 1.0) for c in mine)
        costs = (
            e.service_cost * (n - e.decay_saving * decayed)
            + e.complaint_cost * handled
            + e.capacity_cost * self.staff
            + e.disclosure_cost * self.tally.get("disclosed", 0)
            + e.points_cost * self.tally.get("points_redeemed", 0.0)
            + (e.empowerment_cost * lv.staff_authority + e.tailoring_cost * lv.tailoring) * n
            + e.acquisition_cost * self.tally.get("acquired", 0)
            + e.marketing_cost * lv.marketing * len(m.customer_agents)
        )
        if not self.active:
            costs = 0.0
        self.tally.update(revenue=revenue, costs=costs, profit=revenue - costs)
        if self.active:
            if m.month > 0:  # ``firms.settle_reserves``: the books open after the burn-in
                self.reserves += revenue - costs
        self.customers_end = n
        self.acquired_last_month = self.tally.get("acquired", 0)


class CustomerAgent(mesa.Agent):
    """One customer: traits, needs, the current firm and everything felt about it."""

    def __init__(self, model, firm: FirmAgent | None, traits: dict, needs: list[float], opinion: list[float]):
        super().__init__(model)
        self.__dict__.update(traits)
        self.firm, self.needs, self.opinion = firm, needs, opinion
        self.offer = [0.0, 0.0]
        for name in TIES:
            setattr(self, name, 0)
        self.trapped, self.triggered, self.may_enter = False, False, True
        self.experience = self.service_score = self.annoyance = self.warmth = 0.0
        self.friends: list[CustomerAgent] = []
        self.heard: dict[int, list[float]] = {}

    # -- helpers -------------------------------------------------------------------------
    def fit(self, offer) -> float:
        d2 = (self.needs[0] - offer[0]) ** 2 + (self.needs[1] - offer[1]) ** 2
        return math.exp(-d2 / (2 * self.model.scenario.behaviour.fit_width**2))

    def tailored(self, firm: FirmAgent) -> list[float]:
        t, (px, py) = firm.lv.tailoring, firm.position
        return [px + t * (self.needs[0] - px), py + t * (self.needs[1] - py)]

    def price_paid(self) -> float:
        f = self.firm
        if f is None:
            return 0.0
        discount = f.lv.acquisition_discount if self.promo_left > 0 else 0.0
        return f.lv.price * f.price_factor * (1 - discount) + self.upsell * f.lv.price

    def price_sensitivity_now(self) -> float:
        return min(self.price_sensitivity * (1 + self.model.recession), 1.0)

    def gumbel(self) -> float:
        return -math.log(-math.log(self.random.random() or 1e-300))

    # -- the month --------------------------------------------------------------------------
    def live_month(self) -> None:
        """Needs change, the service is used, the firm calls, the month is judged."""
        self.drift_needs()
        self.use_service()
        self.receive_contact()
        if self.firm is not None:  # ``sales.listen_and_adapt``
            rate = self.firm.lv.listening
            self.offer = [o + rate * (n - o) for o, n in zip(self.offer, self.needs, strict=True)]
        self.judge_month()

    def drift_needs(self) -> None:
        """``needs.drift_needs``: mean-reverting random walk plus rare life-event jumps."""
        spec, on, r = self.model.scenario.customers, self.model.scenario.mechanisms, self.random
        if on.needs_drift:
            self.needs = [n + r.gauss(0, spec.needs_volatility) - spec.needs_reversion * n for n in self.needs]
        if on.life_events and r.random() < spec.life_event_rate:
            self.needs = [n + r.gauss(0, spec.life_event_size) for n in self.needs]
            self.triggered = True

    def use_service(self) -> None:
        """``service.serve_customers``: encounter, failure, disclosure, voice or silence, resolution."""
        b, on, r, f = self.model.scenario.behaviour, self.model.scenario.mechanisms, self.random, self.firm
        S = self.model.scenario.scores
        self.warmth, score = 0.0, S.quiet
        if f is None:
            self.service_score = score
            return
        quality = (1 - b.exhaustion_quality * f.exhaustion) * (
            1 - f.lv.service_decay * min(self.tenure / b.tenure_horizon, 1.0)
        )
        failed = escalated = False
        if r.random() < b.usage_rate:
            f.count("encounters")
            failed = on.service_failures and r.random() < 1 - (1 - b.base_failure) * quality
            if not failed:
                lift = f.displayed_enthusiasm()
                score = max(S.good + (1 - S.good) * f.authenticity + lift, 0.0)
                self.warmth = clip(f.authenticity + lift)
        if failed:
            f.count("failures")
            if not (r.random() < f.lv.transparency or not on.hidden_defects):
                self.hidden_defects += 1
            elif on.hidden_defects:  # ``service.disclose``
                self.trust *= 1 - b.disclosure_dip
                f.count("disclosed")
            voice = b.complaint_propensity * (b.voice_floor + (1 - b.voice_floor) * self.trust)
            if on.complaints and self.complaint_wait == 0 and r.random() < voice:
                f.count("complaints")
                if r.random() < f.lv.staff_authority * quality:
                    f.count("resolved_first_contact")
                    score, self.warmth = S.resolved_first_contact, f.authenticity
                else:
                    escalated = True
                    f.count("escalated")
            else:
                f.count("silent_failures")
                score = S.silent_failure
        gave_up = False
        if self.complaint_wait > 0:  # the back office works through earlier complaints
            if r.random() < f.share_done:
                self.complaint_wait = 0
                f.count("resolved_later")
                score = min(score, S.resolved_later)
            else:
                self.complaint_wait += 1
                if self.complaint_wait > 1 + self.patience * (b.max_wait - 1):
                    self.complaint_wait, gave_up = 0, True
                    f.count("neglected")
        if escalated:
            self.complaint_wait = 1
        if self.complaint_wait > 0:
            score = min(score, S.waiting * self.patience)
            f.count("queue")
        if gave_up:
            score = S.neglected
        found = sum(1 for _ in range(self.hidden_defects) if r.random() < b.defect_discovery)  # each on its own
        discovered = found > 0
        if discovered:
            self.hidden_defects -= found
            score = S.defect_discovered
            f.count("defects_discovered", found)
            self.trust *= (1 - b.discovery_loss) ** found  # each defect found costs its own share of trust
        self.service_score = score
        self.triggered |= failed or gave_up or discovered

    def receive_contact(self) -> None:
        """``sales.contact_customers``: a pitch (perhaps accepted) or a care contact, or nothing."""
        b, r, f = self.model.scenario.behaviour, self.random, self.firm
        self.annoyance = 0.0
        if f is None or not self.model.scenario.mechanisms.sales_contacts or r.random() >= f.lv.contact_rate:
            return
        if r.random() < f.sales_push:
            f.count("pitches")
            self.annoyance, self.triggered = b.sales_annoyance, True
            if r.random() < b.pitch_acceptance * (1 - self.price_sensitivity):
                f.count("accepted_pitches")
                self.offer = [o + r.gauss(0, b.push_misfit) for o in self.offer]
                self.upsell += b.upsell_price
        else:
            f.count("care_contacts")
            self.annoyance = b.care_annoyance * b.sales_annoyance * (1 - self.relationship_need)
            self.warmth = max(self.warmth, self.relationship_need * f.authenticity)

    def judge_month(self) -> None:
        """``relationship.judge_month``: experience, satisfaction, expectation, trust, bond, resentment."""
        m, f = self.model, self.firm
        b, on = m.scenario.behaviour, m.scenario.mechanisms
        if f is None:
            self.experience = self.satisfaction = 0.0
            self.resentment = (
                clip(self.resentment - b.resentment_decay * self.resentment) if on.resentment else self.resentment
            )
            return
        value = 1 - self.price_sensitivity_now() * (self.price_paid() / m.reference_price - 1)
        if on.loyalty_penalty and self.promo_left == 0:
            value -= b.fairness_sensitivity * f.lv.acquisition_discount
        weights = b.weight_fit + b.weight_service + b.weight_value
        x = (
            b.weight_fit * self.fit(self.offer) + b.weight_service * self.service_score + b.weight_value * clip(value)
        ) / max(weights, 1e-9) - self.annoyance
        if on.resentment:
            x -= b.resentment_weight * self.resentment
        x = self.experience = clip(x)
        judged = clip(x + b.disconfirmation * (x - self.expectation))
        self.satisfaction = b.satisfaction_memory * self.satisfaction + (1 - b.satisfaction_memory) * judged
        promised = f.lv.over_promise if on.advertising else 0.0
        self.expectation += b.expectation_rate * (min(x + promised, 1.0) - self.expectation)
        gap = x - self.trust
        falls = min(b.trust_gain * (b.trust_asymmetry if on.trust_asymmetry else 1.0), 1.0)
        self.trust = clip(self.trust + (b.trust_gain if gap > 0 else falls) * gap)
        if on.emotional_bond:
            badness = max(b.bad_month - x, 0.0) / b.bad_month
            grow = b.bond_gain * self.relationship_need * self.warmth * (1 - self.bond)
            self.bond = clip(self.bond + grow - b.bond_decay * self.bond - b.bond_loss * badness * self.bond)
        else:
            self.bond = 0.0
        if on.resentment:
            change = (
                b.resentment_rate * self.reactance * self.reactance_relief() * (1 - self.resentment)
                if self.trapped
                else -b.resentment_decay * self.resentment
            )
            self.resentment = clip(self.resentment + change)
        self.tenure += 1
        self.triggered |= self.contract_left == 1
        self.contract_left = max(self.contract_left - 1, 0)
        self.promo_left = max(self.promo_left - 1, 0)
        self.points += f.lv.loyalty_points

    def reactance_relief(self) -> float:
        """``exit_signal.reactance_relief``: freedom to leave takes some of the sting out of being held."""
        m = self.model
        if not m.scenario.mechanisms.exit_signal:
            return 1.0
        return 1.0 - m.scenario.behaviour.exit_signal_strength * self.firm.freedom()

    def speak(self) -> None:
        """``word_of_mouth.talk``: a talkative customer tells friends how they feel; the angry post."""
        m, f = self.model, self.firm
        if f is None or self.random.random() >= self.talkativeness:
            return
        b, th = m.scenario.behaviour, m.scenario.measures
        said = b.advocacy_trust * self.trust + b.advocacy_satisfaction * self.satisfaction + b.advocacy_bond * self.bond
        if said >= th.speaks_well:
            f.count("wom_positive")
        if said < th.speaks_ill:
            f.count("wom_negative")
        if m.scenario.mechanisms.word_of_mouth:
            for friend in self.friends:
                heard = friend.heard.setdefault(f.index, [0.0, 0])
                heard[0] += said
                heard[1] += 1
        if m.scenario.mechanisms.public_channel and said < m.scenario.behaviour.post_threshold:
            f.count("posts")

    def listen(self) -> None:
        """``word_of_mouth.talk`` and ``advertise``: what was heard, read and seen moves opinions."""
        m, b, on = self.model, self.model.scenario.behaviour, self.model.scenario.mechanisms
        for g, (total, count) in self.heard.items():
            self.opinion[g] += b.wom_weight * (total / count - self.opinion[g])
        self.heard = {}
        for firm in m.firm_agents:
            o = self.opinion[firm.index]
            if on.public_channel:
                o *= 1 - b.public_impact * firm.reached
            if on.advertising and firm.active:
                claim = min(1 - b.exhaustion_quality * firm.exhaustion + firm.lv.over_promise, 1.0)
                o += b.ad_effect * firm.lv.marketing * (claim - o)
            o += b.opinion_memory * (NEUTRAL - o)
            self.opinion[firm.index] = clip(o)

    # -- choice --------------------------------------------------------------------------
    def joining_utility(self, firm: FirmAgent) -> float:
        """``switching.joining_utility``: fit of the firm's tailored offer, opinion, new-customer price."""
        m, b = self.model, self.model.scenario.behaviour
        fit = self.fit(self.tailored(firm))
        if fit < firm.lv.decline_poor_fit or not firm.active:
            return -math.inf  # the firm declines the customer, or is not in the market
        new_price = firm.lv.price * firm.price_factor * (1 - firm.lv.acquisition_discount)
        return (
            b.weight_fit * fit
            + b.weight_trust * self.opinion[firm.index]
            - b.weight_price * self.price_sensitivity_now() * (new_price / m.reference_price - 1)
            + b.weight_trust * firm.signal()
        )

    def decide(self) -> None:
        """``switching.decide``: look around now and then or after a trigger; stay, switch or leave."""
        m, b, r, f = self.model, self.model.scenario.behaviour, self.random, self.firm
        if f is None:
            return
        by_chance, after_trigger = r.random() < b.review_rate, r.random() < b.trigger_review
        if (by_chance or (self.triggered and after_trigger)) and m.scenario.mechanisms.switching:
            stay = (
                b.weight_fit * self.fit(self.offer)
                + b.weight_trust * self.trust
                + b.weight_bond * self.bond
                - b.weight_price * self.price_sensitivity_now() * (self.price_paid() / m.reference_price - 1)
                + b.choice_noise * self.gumbel()
            )
            best, best_u = None, -math.inf
            for firm in m.firm_agents:
                if firm is not f:
                    u = self.joining_utility(firm) + b.choice_noise * self.gumbel()
                    if u > best_u:
                        best, best_u = firm, u
            outside = b.outside_option + b.choice_noise * self.gumbel()
            gain = max(best_u, outside) - stay
            fee_due = self.contract_left > 0
            cost = b.switching_cost_weight * ((f.lv.exit_fee if fee_due else 0.0) + self.points)
            wants_out, moves = gain > b.inertia, gain - cost > b.inertia
            self.trapped = wants_out and not moves
            if moves:
                target = best if best_u >= outside else None
                f.count("exit_fees", f.lv.exit_fee * f.lv.price if fee_due else 0.0)
                f.count("churned")
                f.count("switched_out" if target is not None else "left_market")
                f.total_churned += 1
                self.opinion[f.index] = self.trust
                self.detach()
                if target is not None:
                    self.join(target)
        if self.firm is not None and self.contract_left == 0 and self.firm.lv.contract_term > 0:
            self.contract_left = self.firm.lv.contract_term  # the contract renews

    def maybe_enter(self) -> None:
        """``switching.enter_market``: a customer without a firm comes back and picks the best, if any."""
        b, r = self.model.scenario.behaviour, self.random
        if self.firm is not None or r.random() >= b.reentry_rate or not self.may_enter:
            return
        best, best_u = None, -math.inf
        for firm in self.model.firm_agents:
            u = self.joining_utility(firm) + b.choice_noise * self.gumbel()
            if best is None or u > best_u:
                best, best_u = firm, u
        if best_u > b.outside_option + b.choice_noise * self.gumbel():
            self.join(best)

    def detach(self) -> None:
        """``switching.detach``: no firm, all ties cut; no return in the same month."""
        self.firm, self.may_enter, self.trapped = None, False, False
        for name in TIES:
            setattr(self, name, 0)

    def join(self, firm: FirmAgent) -> None:
        """``switching.join``: trust starts from the opinion, the offer is the firm's, tailored."""
        on = self.model.scenario.mechanisms
        self.firm = firm
        self.trust = clip(self.opinion[firm.index] + firm.signal())
        promised = firm.lv.over_promise if on.advertising else 0.0
        self.expectation = self.satisfaction = min(self.opinion[firm.index] + promised, 1.0)
        self.offer = self.tailored(firm)
        self.contract_left = firm.lv.contract_term
        self.promo_left = firm.lv.discount_months if firm.lv.acquisition_discount > 0 else 0
        firm.count("acquired")
