"""Small-cell suppression for a two-way table published with its margins.

Primary: a cell with 1–9 responses (or 1–9 conversations) is withheld. Complementary: more cells are withheld
until no withheld cell can be worked out from what is published. With all margins published, the table is a
set of line equations (each row and column sums to its margin); a withheld cell is derivable exactly when its
edge is a *bridge* in the bipartite graph whose nodes are rows and columns and whose edges are withheld cells.
So we first make every line hold 0 or ≥2 withheld cells (no derivation by one subtraction), then break any
remaining bridge (no derivation by a chain of subtractions).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping

ALL = "all"
THRESHOLD = 10
PRIMARY, COMPLEMENTARY = "primary", "complementary"

Key = tuple[Hashable, Hashable]
Node = tuple[str, Hashable]  # a row ("r", value) or a column ("c", value) of the table, in derivable()'s graph


def needs_primary(responses: int, conversations: int = 0, threshold: int = THRESHOLD) -> bool:
    """Under the threshold but not empty: an empty cell discloses nothing."""
    return 0 < responses < threshold or 0 < conversations < threshold


def suppress(cells: Mapping[Key, tuple[int, int]], threshold: int = THRESHOLD) -> dict[Key, str]:
    """Which cells to withhold and why. ``cells`` maps (row, column) → (responses, conversations) and includes
    the margins, keyed with :data:`ALL` as row and/or column. Cells not in the mapping are known zeros."""
    suppressed: dict[Key, str] = {
        key: PRIMARY for key, (responses, conversations) in cells.items()
        if needs_primary(responses, conversations, threshold)
    }
    if not suppressed:
        return suppressed
    lines = _lines(cells)
    while True:
        changed = True
        while changed:  # every line: 0 or at least 2 withheld cells
            changed = False
            for line in lines:
                hidden = [k for k in line if k in suppressed]
                if len(hidden) == 1:
                    choice = _cheapest([k for k in line if k not in suppressed], cells)
                    if choice is not None:
                        suppressed[choice] = COMPLEMENTARY
                        changed = True
        bridges = derivable(suppressed, cells)
        if not bridges:
            return suppressed
        choice = _break_bridge(sorted(bridges, key=repr)[0], suppressed, cells)
        if choice is None:  # everything that could be withheld is withheld
            return suppressed
        suppressed[choice] = COMPLEMENTARY


def derivable(suppressed: Mapping[Key, str] | set[Key], cells: Mapping[Key, object]) -> set[Key]:
    """Withheld cells whose value follows from the published cells and margins (the bridges)."""
    graph: dict[Node, list[tuple[Node, Key]]] = defaultdict(list)
    for key in suppressed:
        if key not in cells:
            continue
        r, c = ("r", key[0]), ("c", key[1])
        graph[r].append((c, key))
        graph[c].append((r, key))
    order: dict[Node, int] = {}
    low: dict[Node, int] = {}
    bridges: set[Key] = set()

    def visit(node: Node, via: Key | None) -> None:
        order[node] = low[node] = len(order)
        for neighbour, edge in graph[node]:
            if edge == via:
                continue
            if neighbour in order:
                low[node] = min(low[node], order[neighbour])
            else:
                visit(neighbour, edge)
                low[node] = min(low[node], low[neighbour])
                if low[neighbour] > order[node]:
                    bridges.add(edge)

    for node in sorted(graph, key=repr):
        if node not in order:
            visit(node, None)
    return bridges


def _lines(cells: Mapping[Key, object]) -> list[list[Key]]:
    rows: dict[Hashable, list[Key]] = defaultdict(list)
    cols: dict[Hashable, list[Key]] = defaultdict(list)
    for key in sorted(cells, key=repr):
        rows[key[0]].append(key)
        cols[key[1]].append(key)
    return list(rows.values()) + list(cols.values())


def _cheapest(candidates: list[Key], cells: Mapping[Key, tuple[int, int]]) -> Key | None:
    """Withhold the least information: interior before margins, non-empty before empty, smallest first."""
    if not candidates:
        return None

    def cost(key: Key) -> tuple[bool, bool, int, int, str]:
        responses, conversations = cells[key]
        margin = ALL in key
        empty = responses == 0 and conversations == 0
        return (margin, empty, responses, conversations, repr(key))

    return min(candidates, key=cost)


def _break_bridge(edge: Key, suppressed: Mapping[Key, str], cells: Mapping[Key, tuple[int, int]]) -> Key | None:
    """Close a cycle through the bridge (row r, column c): withhold (r', c') with r' beside c and c' beside r."""
    r, c = edge
    rows_at_c = {k[0] for k in suppressed if k[1] == c and k[0] != r}
    cols_at_r = {k[1] for k in suppressed if k[0] == r and k[1] != c}
    square = [(r2, c2) for r2 in rows_at_c for c2 in cols_at_r if (r2, c2) in cells and (r2, c2) not in suppressed]
    choice = _cheapest(square, cells)
    if choice is None:
        same_lines = [k for k in cells if (k[0] == r or k[1] == c) and k not in suppressed]
        choice = _cheapest(same_lines, cells)
    if choice is None:
        choice = _cheapest([k for k in cells if k not in suppressed], cells)
    return choice
