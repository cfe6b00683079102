"""The customers' social network, as a sparse adjacency matrix.

The small-world default (Watts & Strogatz 1998) is built directly as arrays so
that a million customers cost seconds and tens of megabytes; the other families
come from networkx. Either way word of mouth later needs only the sparse matrix,
so spreading costs O(edges), never O(customers squared).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from sim.params import Network


def build_network(spec: Network, n: int, rng: np.random.Generator) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency (CSR, float32) over ``n`` customers, without self-loops."""
    if spec.kind == "small_world":
        rows, cols = _watts_strogatz_edges(n, spec.degree, spec.rewiring, rng)
    else:
        seed = int(rng.integers(2**31))
        if spec.kind == "scale_free":
            graph = nx.barabasi_albert_graph(n, max(1, spec.degree // 2), seed=seed)
        else:
            graph = nx.fast_gnp_random_graph(n, spec.degree / max(n - 1, 1), seed=seed)
        edges = np.array(graph.edges(), dtype=np.int64).reshape(-1, 2)
        rows, cols = edges[:, 0], edges[:, 1]
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    data = np.ones(2 * len(rows), dtype=np.float32)
    adj = sp.csr_matrix((data, (np.r_[rows, cols], np.r_[cols, rows])), shape=(n, n))
    adj.data[:] = 1.0  # duplicate edges collapse to one tie
    return adj


def _watts_strogatz_edges(n: int, degree: int, rewiring: float, rng: np.random.Generator):
    """Ring lattice with ``degree`` neighbours, each edge's far end rewired with probability ``rewiring``."""
    half = max(1, degree // 2)
    rows = np.repeat(np.arange(n, dtype=np.int64), half)
    cols = (rows + np.tile(np.arange(1, half + 1), n)) % n
    rewire = rng.random(len(rows)) < rewiring
    cols[rewire] = rng.integers(0, n, int(rewire.sum()))
    return rows, cols


def to_networkx(adj: sp.spmatrix) -> nx.Graph:
    """The network as a networkx graph, for analysis and drawing."""
    return nx.from_scipy_sparse_array(adj)
