"""Every outcome column declares its unit, label and meaning once; the report and the page read them from there."""

from __future__ import annotations

import pytest

import sim
from sim.app.labels import OUTCOMES as PAGE_OUTCOMES
from sim.app.labels import TYPE_LABELS
from sim.experiments.figures import UNITS, label
from sim.metrics import METRICS, OUTCOMES, TYPE_SHARES, metric, typology_shares
from sim.typology import TYPES


@pytest.mark.parametrize("name", list(OUTCOMES))
def test_every_outcome_declares_unit_label_and_meaning(name):
    outcome = OUTCOMES[name]
    assert outcome.name == name
    assert outcome.unit.strip() and outcome.label.strip() and outcome.description.strip()
    assert "\n" not in outcome.description


def test_outcomes_are_exactly_the_columns_of_the_results_table(market_table):
    assert list(OUTCOMES) == [*METRICS, *TYPES]
    assert list(TYPE_SHARES) == list(TYPES)
    assert [c for c in market_table.columns if c in OUTCOMES] == list(OUTCOMES)


def test_labels_are_unique():
    labels = [o.label for o in OUTCOMES.values()]
    assert len(set(labels)) == len(labels)


def test_typology_shares_measure_the_declared_columns():
    model = sim.MarketModel(sim.default_market(customers=300).with_changes(years=0.25, seed=2))
    try:
        assert list(typology_shares(model.market)) == list(TYPE_SHARES)
    finally:
        model.release()


def test_report_axes_read_the_declared_units():
    assert UNITS == {name: o.unit for name, o in OUTCOMES.items()}
    churn = OUTCOMES["churn_rate_annual"]
    assert label("churn_rate_annual") == f"{churn.label} [{churn.unit}]"


def test_page_titles_are_the_declared_labels():
    for name, (title, explanation) in PAGE_OUTCOMES.items():
        assert title == OUTCOMES[name].label
        assert explanation
    assert TYPE_LABELS == {t: OUTCOMES[t].label for t in TYPES}


def test_a_metric_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="registered twice"):

        @metric(unit="0-1", label="Trust again")
        def trust(m):  # same name as the registered metric
            return m.customers.trust

    assert METRICS["trust"].label == "Trust"
