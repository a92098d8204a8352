"""Maximum-weight assignment of rows to columns (Hungarian / Kuhn-Munkres), pure Python.

Why not scipy: one form has at most ~17 field columns and a few dozen candidate pairs, so the
O(n²·m) algorithm below runs in well under a millisecond, and the parse path does not pay
scipy's ~150 ms import. ``tests/parsers/test_labels.py`` checks it against brute force.
"""
from __future__ import annotations

INF = float("inf")


def max_weight_assignment(weights: dict[tuple[int, int], float], n_rows: int, n_cols: int) -> dict[int, int]:
    """{row: col} maximising the summed weight; each row and column used at most once.

    ``weights`` holds only the allowed edges (weight > 0); rows may stay unassigned.
    """
    if not weights:
        return {}
    # rows are the smaller side of the e-maxx formulation; each row also gets a private dummy
    # column of weight 0, so "unassigned" is always possible and never beats a positive edge
    transpose = n_rows > n_cols
    if transpose:
        weights = {(c, r): w for (r, c), w in weights.items()}
        n_rows, n_cols = n_cols, n_rows
    n, m = n_rows, n_cols + n_rows

    def cost(i: int, j: int) -> float:
        if j >= n_cols:
            return 0.0
        return -weights.get((i, j), 0.0)

    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)  # p[j]: row (1-based) assigned to column j
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [INF] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = INF
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost(i0 - 1, j - 1) - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    out: dict[int, int] = {}
    for j in range(1, n_cols + 1):
        i = p[j]
        if i and (i - 1, j - 1) in weights:
            if transpose:
                out[j - 1] = i - 1
            else:
                out[i - 1] = j - 1
    return out
