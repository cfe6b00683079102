"""The social network: the array-built small world has the shape of networkx's Watts-Strogatz graph."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim.network import build_network, to_networkx
from sim.params import Network


def test_small_world_matches_networkx_watts_strogatz():
    n, k, p = 2000, 8, 0.1
    ours = to_networkx(build_network(Network(kind="small_world", degree=k, rewiring=p), n, np.random.default_rng(1)))
    theirs = nx.watts_strogatz_graph(n, k, p, seed=1)
    assert abs(2 * ours.number_of_edges() / n - k) < 0.1
    assert nx.average_clustering(ours) == pytest.approx(nx.average_clustering(theirs), abs=0.03)
    # rewiring shortens paths: a few hops reach far around the ring
    lengths = nx.single_source_shortest_path_length(ours, 0)
    assert max(lengths.values()) < n / k / 4


@pytest.mark.parametrize("kind", ["small_world", "scale_free", "random"])
def test_network_is_symmetric_without_self_loops(kind):
    adj = build_network(Network(kind=kind, degree=6), 500, np.random.default_rng(3))
    assert (adj != adj.T).nnz == 0
    assert adj.diagonal().sum() == 0
    assert set(np.unique(adj.data)) == {1.0}
    assert 3 <= adj.sum() / 500 <= 7


def test_network_depends_only_on_the_seed():
    spec = Network(kind="scale_free", degree=4)
    a = build_network(spec, 300, np.random.default_rng(9))
    b = build_network(spec, 300, np.random.default_rng(9))
    assert (a != b).nnz == 0
