"""The shipped claims: what the essays assert, and what a sceptic of them would add.

Each class quotes the sentence it stands for from the essays (file names in the
seeds folder). The arms name policy presets and, where a claim is about one
lever, the lever settings themselves, so a claim keeps its meaning when a
preset's values are retuned. Minimum effects are what a management team would
call a difference: two points on a 0-1 scale of trust, satisfaction or
exhaustion, two percentage points of annual churn, ten points of first-contact
resolution, one new customer per hundred in a year; a sceptic's "earns more"
counts any positive difference.
"""

from __future__ import annotations

from sim.claims.registry import Arm, Claim, Window, register

EXIT = Arm("permanent_exit")
LOCK_IN = Arm("loyalty_lock_in")
USUAL = Arm("business_as_usual")
YEAR_5 = Window(49, 60)  # the last twelve months of year five


@register
class ExitOptionTrust(Claim):
    name = "exit_option_trust"
    title = "A permanent exit option earns more trust than lock-in"
    seed = "002_e0a9fd4f545cc19b.txt"
    german = "Das wirksamste Signal, dass man es ernst meint, ist eine „permanente Exit-Option„."
    english = "The most effective signal that one means it is a 'permanent exit option'."
    treatment, control = EXIT, LOCK_IN
    outcome, window, direction, min_effect = "trust", YEAR_5, "higher", 0.02


@register
class ExitOptionChurnWhileBound(Claim):
    name = "exit_option_churn_while_bound"
    title = "Without chains, customers stay about as well as under lock-in, even while its contracts bind"
    seed = "002_e0a9fd4f545cc19b.txt"
    german = (
        "Wenn ich also nicht versuche, mit allen möglichen Kundenbindungsprogrammen die Kunden ans Unternehmen "
        "zu fesseln."
    )
    english = "That is, if I do not try to chain customers to the company with every kind of loyalty programme."
    treatment, control = EXIT, LOCK_IN
    outcome, window, direction, min_effect = "churn_rate_annual", Window(1, 24), "lower", -0.02


@register
class EmpoweredFirstContact(Claim):
    name = "empowered_staff_first_contact"
    title = "Empowered staff resolve more complaints at first contact"
    seed = "002_e0a9fd4f545cc19b.txt"
    german = "Stattdessen gilt das Prinzip, dass ein Kunde nie mit jemandem sprechen soll, der nicht entscheiden kann."
    english = "Instead the principle holds that a customer should never speak to someone who cannot decide."
    treatment, control = Arm("empowered_staff"), USUAL
    outcome, window, direction, min_effect = "first_contact_resolution", Window(1, 60), "higher", 0.10


@register
class EmpoweredTrust(Claim):
    name = "empowered_staff_trust"
    title = "Empowered staff earn more trust than scripted staff"
    seed = "002_e0a9fd4f545cc19b.txt"
    german = (
        "Hilft ja nix, wenn der Mitarbeiter sagt: „Ich würde Ihre erlittenen Nachteile gerne ausgleichen, "
        "aber das darf nur der Online-Kundendienst…“"
    )
    english = (
        "It is no help if the employee says: 'I would gladly make up for what you have suffered, "
        "but only the online customer service may do that…'"
    )
    treatment, control = Arm("empowered_staff"), USUAL
    outcome, window, direction, min_effect = "trust", YEAR_5, "higher", 0.02


@register
class BudgetSalesAcquisitions(Claim):
    name = "budget_sales_acquisitions"
    title = "Budget-driven sales wins more new customers in the first year"
    seed = "004_b17312b8179e2d45.txt"
    german = (
        "Die Kommunikation während der Dating-Phase (Verkauf) war phänomenal, verkümmerte allerdings kurze Zeit später."
    )
    english = "Communication during the dating phase (the sale) was phenomenal, but withered shortly afterwards."
    treatment, control = Arm("budget_sales"), USUAL
    outcome, window, statistic, direction, min_effect = "acquired", Window(1, 12), "total_per_100", "higher", 1.0


@register
class BudgetSalesTrust(Claim):
    name = "budget_sales_trust"
    title = "Budget-driven sales loses trust after five years"
    seed = "004_b17312b8179e2d45.txt"
    german = "Investitionen fliessen in die Neukundengewinnung."
    english = "Investment flows into winning new customers (existing customers are taken for granted)."
    treatment, control = Arm("budget_sales"), USUAL
    outcome, window, direction, min_effect = "trust", YEAR_5, "lower", 0.02


@register
class BudgetSalesExhaustion(Claim):
    name = "budget_sales_exhaustion"
    title = "Sales targets and demanded enthusiasm exhaust front-line staff"
    seed = "002_e0a9fd4f545cc19b.txt"
    german = (
        "Autosuggestion ist eine Möglichkeit, aber das funktioniert nur bis zu einem gewissen Grad, "
        "dann wird der Mensch überfordert."
    )
    english = "Autosuggestion is one way, but it only works up to a point; then the person is overwhelmed."
    treatment, control = Arm("budget_sales"), USUAL
    outcome, window, direction, min_effect = "staff_exhaustion", Window(1, 60), "higher", 0.05


@register
class ListeningUnderDrift(Claim):
    name = "listening_keeps_customers"
    title = "Customers change by themselves: a firm that listens keeps more of them than one that does not"
    seed = "001_df532206977131b5.txt"
    german = "Darüber geht den Unternehmen – in der Regel – ihre Kundenbeziehung verloren."
    english = "Over this (planning as if customers stood still), companies as a rule lose their customer relationship."
    treatment = Arm("business_as_usual", {"levers.listening": 0.2})
    control = Arm("business_as_usual", {"levers.listening": 0.0})
    outcome, window, direction, min_effect = "churn_rate_annual", Window(13, 60), "lower", 0.02


@register
class LoyaltyPenalty(Claim):
    name = "loyalty_penalty"
    title = "Better deals for new customers than for existing ones cost existing customers' satisfaction"
    seed = "000_dbe4082ea0cdbe1d.txt"
    german = "Bestandskunden gegenüber Neukunden (den „neuen Geliebten“) das Nachsehen haben."
    english = "Existing customers lose out against new customers (the 'new lovers')."
    treatment = USUAL
    control = Arm("business_as_usual", {"levers.acquisition_discount": 0.0})
    outcome, window, direction, min_effect = "satisfaction", Window(13, 60), "lower", 0.02


@register
class AngryCustomersGoPublic(Claim):
    name = "angry_customers_go_public"
    title = "Customers who feel unloved go public: budget-driven sales draws more public complaints per customer"
    seed = "000_dbe4082ea0cdbe1d.txt"
    german = (
        "Sie verschaffen sich dann über soziale Medien die gewünschte Beachtung und Aufmerksamkeit. "
        "Wischen Unternehmen dort einfach mal richtig eins aus."
    )
    english = "They then get the attention they want through social media, and really land one on the company there."
    treatment, control = Arm("budget_sales"), Arm("relationship_first")
    outcome, window, statistic, direction = "public_posts", Window(1, 60), "rate_per_100", "higher"
    min_effect = 0.0


@register
class RelationshipFirstTrust(Claim):
    name = "relationship_first_trust"
    title = "Exit option, empowered staff and no sales budgets together earn more trust than business as usual"
    seed = "000_dbe4082ea0cdbe1d.txt"
    german = "Schon heute ist erkennbar: Vertrauen wird deren Leitwährung sein."
    english = "It is already clear today: trust will be its leading currency."
    treatment, control = Arm("relationship_first"), USUAL
    outcome, window, direction, min_effect = "trust", YEAR_5, "higher", 0.02


@register
class LockInShortRunProfit(Claim):
    name = "lock_in_short_run_profit"
    title = "Sceptic: lock-in earns more profit than an exit option in the first two years"
    seed = "002_e0a9fd4f545cc19b.txt"
    german = (
        "Wenn ich also nicht versuche, mit allen möglichen Kundenbindungsprogrammen die Kunden ans Unternehmen "
        "zu fesseln."
    )
    english = "That is, if I do not try to chain customers to the company with every kind of loyalty programme."
    sceptic = True
    treatment, control = LOCK_IN, EXIT
    outcome, window, statistic, direction = "profit", Window(1, 24), "total_per_100", "higher"
    min_effect = 0.0


@register
class ExitAloneDoesNotKeep(Claim):
    name = "exit_option_alone_loses_customers"
    title = "Sceptic: an exit option alone does not keep customers; they shop around"
    seed = "004_b17312b8179e2d45.txt"
    german = "Kunden geben offen zu, dass sie fremdshoppen."
    english = "Customers openly admit that they shop around."
    sceptic = True
    treatment, control = EXIT, USUAL
    outcome, window, direction, min_effect = "churn_rate_annual", Window(1, 60), "higher", 0.02
