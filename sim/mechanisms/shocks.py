"""Events a scenario schedules (or a facilitator fires), as a registry of small classes.

Each kind of shock is one class with the :func:`register_shock` decorator, in the style of
Axelrod-Python's strategies: a ``name`` (what ``shocks[].kind`` says in a scenario file), a
``label`` and a plain-language ``description`` (the workshop page's button and its tooltip),
whether it ``needs_firm``, and what it does in the month it starts (:meth:`ShockKind.start`)
and in every month while it lasts (:meth:`ShockKind.each_month`, for ``shocks[].months``).
The schema, the page, the docs and the tests read :data:`SHOCKS`; the per-agent reference
mirrors every kind in ``benchmarks/reference/shocks.py``. Adding a kind: a class here, its
mirror there, a line in ``docs/ODD.md`` (7.9); the base tests in ``tests/test_shocks.py``
run it through the schema, a market and the reference.

>>> sorted(SHOCKS)
['price_war', 'recession', 'scandal']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from sim.state import MarketState

if TYPE_CHECKING:
    from sim.scenario import Shock

SHOCKS: dict[str, type[ShockKind]] = {}


def register_shock(cls: type[ShockKind]) -> type[ShockKind]:
    """Class decorator: make a shock kind known to scenarios, the page and the docs by its name."""
    if cls.name in SHOCKS:
        raise ValueError(f"shock kind {cls.name!r} registered twice")
    SHOCKS[cls.name] = cls
    return cls


class ShockKind:
    """Base class of a shock kind; ``firm`` is the slot of the firm named by the shock (None if none).

    In a batch of markets a shock naming a firm is applied once per market, to that firm's slot there.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    needs_firm: ClassVar[bool] = False

    @classmethod
    def start(cls, m: MarketState, shock: Shock, firm: int | None) -> None:
        """What happens once, in the month the shock starts (default: nothing)."""

    @classmethod
    def each_month(cls, m: MarketState, shock: Shock, firm: int | None) -> None:
        """What holds in every month while the shock lasts, its first month included (default: nothing)."""


@register_shock
class Scandal(ShockKind):
    """The firm's reputation and its customers' trust drop by ``severity`` at once; its customers look around."""

    name = "scandal"
    label = "Scandal"
    description = "A scandal at the chosen firm: its customers and the market lose trust in it at once."
    needs_firm = True

    @classmethod
    def start(cls, m: MarketState, shock: Shock, firm: int | None) -> None:
        assert firm is not None  # needs_firm
        c, N = m.customers, m.customers_per_market
        r = firm // m.firms_per_market  # the firm's market (of a batch): its customers' opinions of it
        c.opinion[r * N : (r + 1) * N, firm % m.firms_per_market] *= 1 - shock.severity
        hit = c.firm == firm
        c.trust[hit] *= 1 - shock.severity
        c.triggered |= hit


@register_shock
class PriceWar(ShockKind):
    """The firm cuts its price by ``severity`` for ``months``."""

    name = "price_war"
    label = "Price war"
    description = (
        "The chosen firm cuts its price (by half at the page's strength) for a year; rivals' customers are tempted."
    )
    needs_firm = True

    @classmethod
    def each_month(cls, m: MarketState, shock: Shock, firm: int | None) -> None:
        m.firms.price_factor[firm] *= 1 - shock.severity


@register_shock
class Recession(ShockKind):
    """Needs contract towards the basic centre of the market; price sensitivity rises by ``severity`` for ``months``.

    The contraction is radial - every customer's needs move a share ``customers.recession_contraction``
    times ``severity`` of the way to the centre - so it favours no firm by where its offer sits: firms
    stand on a circle around the centre, and in a market of identical firms each loses or gains alike.
    """

    name = "recession"
    label = "Recession"
    description = (
        "Money is tight for a year: needs move towards the basic centre of the market and "
        "everyone becomes more price-sensitive."
    )

    @classmethod
    def start(cls, m: MarketState, shock: Shock, firm: int | None) -> None:
        m.customers.needs *= 1 - m.customer_spec.recession_contraction * shock.severity

    @classmethod
    def each_month(cls, m: MarketState, shock: Shock, firm: int | None) -> None:
        m.recession = max(m.recession, shock.severity)


def start_month(shock: Shock) -> int:
    """The step at which a shock starts (years are converted to months, first month = 1)."""
    return max(1, round(shock.year * 12))


def apply_shocks(m: MarketState, shocks: Sequence[Shock], firm_index: Mapping[str, int]) -> None:
    """Start what starts this month; keep price wars and recessions going while they last."""
    m.firms.price_factor[:] = 1.0
    m.recession = 0.0
    for shock in shocks:
        kind, start = SHOCKS[shock.kind], start_month(shock)
        local = firm_index[shock.firm] if shock.firm is not None else None
        # a firm's shock hits that firm in every market of a batch; a market-wide shock hits all at once
        slots = [None] if local is None else range(local, m.n_firms, m.firms_per_market)
        for firm in slots:
            if m.month == start:
                kind.start(m, shock, firm)
            if start <= m.month < start + shock.months:
                kind.each_month(m, shock, firm)
