"""Draw the layers of bot/ and the adapters from the real imports: docs/images/layers.svg.

    python bench/layer_graph.py            # write docs/images/layers.svg
    python bench/layer_graph.py --check    # exit 1 when the file is not what the code draws

One box per package, stacked by layer (lowest at the bottom); no counts of modules or lines, so
the picture changes only when an arrow between packages does. A grey arrow is an import that
runs down the table; a red one runs up or closes a circle, an orange dashed one is an adapter
reaching past the public API: today's known breaches, listed in tests/test_layers.py. The walk
of the imports is the test's own, so picture and test agree. No Graphviz or Mermaid renderer is
needed: the SVG is written by hand.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_layers as rules  # noqa: E402  (the test's import walk, shared on purpose)

OUT = ROOT / "docs" / "images" / "layers.svg"
BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 150, 44, 24, 46, 20
ADAPTER_ROW = 11  # the adapters sit above the top layer of bot/


def node_of(module: str) -> str:
    if module.startswith("adapters"):
        parts = module.split(".")
        return ".".join(parts[:2])
    return rules.package_of(module)


def row_of(node: str) -> int:
    return ADAPTER_ROW if node.startswith("adapters") else rules.LAYERS[node]


def packages() -> set[str]:
    return {node_of(name) for name in rules.project_modules() if name not in ("bot", "adapters")}


def edges() -> dict[tuple[str, str], str]:
    """Package arrows, each with its kind: ``down``, ``breach`` (up or circle) or ``reach``."""
    arrows = rules.all_arrows()
    breach = rules.KNOWN_UPWARD | rules.KNOWN_CIRCLE_EDGES
    reach = rules.adapter_reach(arrows)
    kinds: dict[tuple[str, str], str] = {}
    for arrow in arrows:
        if arrow.source in ("bot", "adapters") or arrow.target in ("bot", "adapters"):
            continue
        pair = (node_of(arrow.source), node_of(arrow.target))
        if pair[0] == pair[1] and (arrow.source, arrow.target) not in breach:
            continue
        step = (arrow.source, arrow.target)
        kind = "breach" if step in breach else "reach" if step in reach else "down"
        rank = {"down": 0, "reach": 1, "breach": 2}
        if rank[kind] >= rank[kinds.get(pair, "down")]:
            kinds[pair] = kind
    return kinds


def layout(nodes: list[str]) -> dict[str, tuple[int, int]]:
    rows: dict[int, list[str]] = defaultdict(list)
    for node in sorted(nodes):
        rows[row_of(node)].append(node)
    widest = max(3, *(len(r) for r in rows.values()))
    width = widest * (BOX_W + GAP_X)
    places = {}
    for row, members in rows.items():
        y = MARGIN + (ADAPTER_ROW - row) * (BOX_H + GAP_Y)
        start = MARGIN + 90 + (width - len(members) * (BOX_W + GAP_X)) // 2
        if len(members) == 1:  # zig-zag lone boxes, so arrows that skip a layer miss them
            start += (-1, 0, 1)[row % 3] * (BOX_W + GAP_X) * 3 // 4
        for i, node in enumerate(members):
            places[node] = (start + i * (BOX_W + GAP_X), y)
    return places


STYLE = {
    "down": 'stroke="#9e9e9e" stroke-opacity="0.55" stroke-width="1" marker-end="url(#grey)"',
    "breach": 'stroke="#c62828" stroke-width="2.2" marker-end="url(#red)"',
    "reach": (
        'stroke="#ef6c00" stroke-width="1.6" stroke-dasharray="5 3" marker-end="url(#orange)"'
    ),
}


def svg() -> str:
    info = packages()
    places = layout(sorted(info))
    width = max(x for x, _ in places.values()) + BOX_W + MARGIN
    height = MARGIN * 2 + (ADAPTER_ROW + 1) * (BOX_H + GAP_Y) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        "<defs>",
    ]
    for name, colour in (("grey", "#b8b8b8"), ("red", "#c62828"), ("orange", "#ef6c00")):
        out.append(
            f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/>'
            "</marker>"
        )
    out.append("</defs>")
    for row in range(ADAPTER_ROW + 1):
        y = MARGIN + (ADAPTER_ROW - row) * (BOX_H + GAP_Y) + BOX_H // 2 + 4
        label = "adapters" if row == ADAPTER_ROW else f"layer {row}"
        if any(row_of(n) == row for n in info):
            out.append(f'<text x="{MARGIN}" y="{y}" fill="#555">{label}</text>')
    order = {"down": 0, "reach": 1, "breach": 2}
    for (source, target), kind in sorted(edges().items(), key=lambda e: (order[e[1]], e[0])):
        (x1, y1), (x2, y2) = places[source], places[target]
        if source == target:  # a circle inside one package: a loop on its box
            x, y = x1 + BOX_W, y1 + BOX_H // 2
            path = f"M{x},{y - 8} C{x + 40},{y - 30} {x + 40},{y + 30} {x},{y + 8}"
            out.append(f'<path d="{path}" fill="none" {STYLE[kind]}/>')
            continue
        down = y2 > y1
        ys = y1 + (BOX_H if down else 0) if y1 != y2 else y1 + BOX_H // 2
        ye = y2 + (0 if down else BOX_H) if y1 != y2 else y2 + BOX_H // 2
        xs, xe = x1 + BOX_W // 2, x2 + BOX_W // 2
        out.append(f'<line x1="{xs}" y1="{ys}" x2="{xe}" y2="{ye}" {STYLE[kind]}/>')
    for node, (x, y) in sorted(places.items()):
        out.append(
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            'fill="#eef3fb" stroke="#3b5b92"/>'
        )
        out.append(
            f'<text x="{x + BOX_W // 2}" y="{y + 27}" text-anchor="middle" '
            f'font-weight="bold">{escape(node)}</text>'
        )
    legend_y = height - 16
    out.append(
        f'<text x="{MARGIN}" y="{legend_y}" fill="#555">grey: imports down the layers · '
        '<tspan fill="#c62828">red: up or in a circle</tspan> · '
        '<tspan fill="#ef6c00">orange dashed: adapter past the public API</tspan> '
        "(known breaches: tests/test_layers.py)</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    drawn = svg()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != drawn:
            print(f"{OUT.relative_to(ROOT)} is stale: run python bench/layer_graph.py")
            return 1
        return 0
    OUT.write_text(drawn, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
