"""``rolefinder map``: the buying center as a picture, for a projector, a handout and the plan.

One standalone SVG holds three things: the org chart as a tree (each contact's roles, influence
as the weight and size of the box, attitude as its colour, a red mark on red flags), the
roles nobody covers and the account's red flags, and a Blue-Sheet-style grid of influence ×
attitude. The HTML page wraps the same SVG so it fills a projector screen; the HTML plan
embeds it too.

The layout is a tidy tree computed here in one pass (leaves take consecutive slots, a manager
sits centred over their reports), so there is no system dependency such as Graphviz; trees
with many leaves are laid out left to right, which keeps 500 people readable and printable.
Everything is iterative: a 1,000-person reporting chain does not hit a recursion limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from rolefinder.i18n import Catalog, pick, value_label
from rolefinder.inert import inert

if TYPE_CHECKING:
    from rolefinder.identification import ContactResult, Identification

T = Catalog(
    {
        "title": {"en": "Buying center: {name}", "zh": "采购决策链:{name}"},
        "no_role": {"en": "role not known yet", "zh": "角色未明"},
        "no_part": {"en": "no part in this purchase", "zh": "本次采购中无角色"},
        "legend": {"en": "Attitude", "zh": "态度"},
        "influence": {"en": "Influence: the heavier the box, the higher", "zh": "影响力:边框越粗、方框越大,影响力越高"},
        "flag_mark": {"en": "! red flag", "zh": "! 风险信号"},
        "uncovered": {"en": "Roles nobody covers yet", "zh": "尚无人承担的角色"},
        "flags": {"en": "Red flags", "zh": "风险信号"},
        "none": {"en": "none", "zh": "无"},
        "grid": {"en": "Influence × attitude", "zh": "影响力 × 态度"},
        "inf_axis": {"en": "influence", "zh": "影响力"},
    }
)

ATTITUDES = ("opponent", "neutral", "supporter", "champion", "unknown")
INFLUENCES = ("high", "medium", "low", "unknown")
COLOURS = {"champion": "#1e8e3e", "supporter": "#7cb342", "neutral": "#f2a900", "opponent": "#c62828",
           "unknown": "#8a94a3"}
FILLS = {"champion": "#e6f4ea", "supporter": "#f1f8e9", "neutral": "#fff8e1", "opponent": "#fdecea",
         "unknown": "#f4f6f8"}
STROKE = {"high": 4.0, "medium": 2.2, "low": 1.2, "unknown": 1.2}
SCALE = {"high": 1.12, "medium": 1.0, "low": 0.92, "unknown": 1.0}
FONT = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
        '"WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif')
WIDE_AFTER = 14  # more leaves than this: lay the tree out left to right
MAX_BOX = 260


def text_px(text: str, size: float) -> float:
    """Rough rendered width: a CJK character is about 1 em, Latin about 0.58 em."""
    from rolefinder.textwidth import char_width

    return sum((1.0 if char_width(ch) == 2 else 0.58) * size for ch in text)


def _fit(text: str, size: float, room: float) -> str:
    """``text`` shortened with an ellipsis to ``room`` pixels (titles only; names stay whole)."""
    if text_px(text, size) <= room:
        return text
    while text and text_px(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


@dataclass
class Node:
    """One contact's box: what it says and where it goes."""

    id: str
    name: str
    title: str
    roles: list[str]
    attitude: str
    influence: str
    flagged: bool
    depth: int = 0
    slot: float = 0.0
    children: list[str] = field(default_factory=list)
    w: float = 0.0
    h: float = 0.0
    x: float = 0.0
    y: float = 0.0


@dataclass
class MapModel:
    """Everything the picture shows, in one language."""

    title: str
    nodes: dict[str, Node]
    order: list[str]
    uncovered: list[str]
    flags: list[str]
    grid: dict[tuple[str, str], list[str]]
    lang: str
    scale: float = 1.0


def _roles_text(ident: Identification, r: ContactResult, lang: str) -> list[str]:
    from rolefinder.plans import has_no_part

    roles = [f"{pick(ident.knowledge.roles[role].label, lang)} {r.beliefs[role].certainty:.0%}" for role in r.held]
    return roles or [T("no_part" if has_no_part(r) else "no_role", lang)]


def build_map(ident: Identification, lang: str = "en", large: bool = False) -> MapModel:
    """The picture's content: nodes in tree order, uncovered roles, red flags, the grid."""
    flagged = {cid for g in ident.gaps if g.severity == "red_flag" for cid in g.contacts}
    nodes: dict[str, Node] = {}
    for r in ident.contacts:
        c = r.contact
        nodes[c.id] = Node(c.id, inert(c.name), inert(c.title or ""), _roles_text(ident, r, lang),
                           c.attitude or "unknown", c.influence or "unknown", c.id in flagged)
    order = _tree_order(ident, nodes)
    grid: dict[tuple[str, str], list[str]] = {}
    for r in ident.contacts:
        node = nodes[r.contact.id]
        role = pick(ident.knowledge.roles[r.primary_role].label, lang) if r.primary_role else ""
        grid.setdefault((node.influence, node.attitude), []).append(
            f"{node.name}" + (f" · {role}" if role else ""))
    uncovered = [pick(ident.knowledge.roles[g.role].label, lang) for g in ident.gaps
                 if g.code == "role_uncovered" and g.role in ident.knowledge.roles]
    if not any("decision_maker" in r.held for r in ident.contacts) and "decision_maker" in ident.knowledge.roles:
        uncovered.insert(0, pick(ident.knowledge.roles["decision_maker"].label, lang))
    flags = [inert(g.text(lang)) for g in ident.gaps if g.severity == "red_flag"]
    return MapModel(T("title", lang, name=inert(ident.account.name)), nodes, order, uncovered, flags,
                    grid, lang, 1.35 if large else 1.0)


def _tree_order(ident: Identification, nodes: dict[str, Node]) -> list[str]:
    """Depth first, managers before reports; people whose manager is missing or in a loop
    become roots. Sets each node's depth and children."""
    ids = [r.contact.id for r in ident.contacts]
    parent = {r.contact.id: r.contact.reports_to for r in ident.contacts}
    for cid in ids:
        boss = parent[cid]
        if boss in nodes and boss != cid:
            nodes[boss].children.append(cid)
    roots = [cid for cid in ids if parent[cid] not in nodes or parent[cid] == cid]
    order: list[str] = []
    seen: set[str] = set()
    pending = [*roots, *ids]  # ids last: members of a reporting loop start their own tree
    for start in pending:
        if start in seen:
            continue
        stack = [(start, 0)]
        while stack:
            cid, depth = stack.pop()
            if cid in seen:
                continue
            seen.add(cid)
            nodes[cid].depth = depth
            order.append(cid)
            stack += [(k, depth + 1) for k in reversed(nodes[cid].children) if k not in seen]
    for cid in ids:  # a loop member reached from a root keeps only the children it reached first
        nodes[cid].children = [k for k in nodes[cid].children if nodes[k].depth == nodes[cid].depth + 1]
    return order


# --------------------------------------------------------------------------- layout

def _measure(model: MapModel) -> None:
    s = model.scale
    for node in model.nodes.values():
        k = s * SCALE[node.influence]
        lines = [(node.name, 14 * k), (node.title, 11 * k)] if node.title else [(node.name, 14 * k)]
        lines += [(role, 11 * k) for role in node.roles]
        width = max(text_px(text, size) for text, size in lines) + 20 * k
        node.w = max(120 * k, min(width, MAX_BOX * k), text_px(node.name, 14 * k) + 20 * k)
        node.h = 12 * k + sum(size * 1.35 for _, size in lines)


def _slots(model: MapModel) -> int:
    """Leaves take consecutive slots; a manager sits midway between their first and last report."""
    slot = 0
    for cid in model.order:
        node = model.nodes[cid]
        if not node.children:
            node.slot = float(slot)
            slot += 1
    for cid in reversed(model.order):  # reverse depth-first order: every child before its parent
        node = model.nodes[cid]
        if node.children:
            kids = [model.nodes[k].slot for k in node.children]
            node.slot = (min(kids) + max(kids)) / 2
    return slot


def layout(model: MapModel) -> tuple[float, float, bool]:
    """Position every box; returns the tree's width, height and whether it runs left to right."""
    _measure(model)
    leaves = _slots(model)
    wide = leaves > WIDE_AFTER
    nodes = list(model.nodes.values())
    if not nodes:
        return 0.0, 0.0, wide
    s = model.scale
    box_w = max(n.w for n in nodes)
    box_h = max(n.h for n in nodes)
    depth_max = max(n.depth for n in nodes)
    if wide:  # depth runs right, slots run down
        step_x, step_y = box_w + 48 * s, box_h + 14 * s
        for n in nodes:
            n.x, n.y = n.depth * step_x, n.slot * step_y + (box_h - n.h) / 2
        return (depth_max + 1) * step_x - 48 * s, leaves * step_y, wide
    step_x, step_y = box_w + 18 * s, box_h + 46 * s
    for n in nodes:
        n.x, n.y = n.slot * step_x + (box_w - n.w) / 2, n.depth * step_y
    return leaves * step_x - 18 * s, (depth_max + 1) * step_y - 46 * s, wide


# --------------------------------------------------------------------------- drawing

def _text(x: float, y: float, text: str, size: float, **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:.1f}"{extra}>{escape(text)}</text>'


def _box(node: Node, s: float, title_room: float) -> list[str]:
    k = s * SCALE[node.influence]
    colour, fill = COLOURS[node.attitude], FILLS[node.attitude]
    dash = ' stroke-dasharray="5 3"' if node.influence == "unknown" else ""
    out = [f'<g class="contact" data-id="{escape(node.id)}">',
           f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{node.w:.1f}" height="{node.h:.1f}" rx="{6 * s:.1f}" '
           f'fill="{fill}" stroke="{colour}" stroke-width="{STROKE[node.influence] * s:.1f}"{dash}/>']
    y = node.y + 6 * k + 14 * k
    cx = node.x + node.w / 2
    out.append(_text(cx, y, node.name, 14 * k, text_anchor="middle", font_weight="bold"))
    if node.title:
        y += 11 * k * 1.35
        out.append(_text(cx, y, _fit(node.title, 11 * k, title_room), 11 * k, text_anchor="middle",
                         fill="#5b6575"))
    for role in node.roles:
        y += 11 * k * 1.35
        out.append(_text(cx, y, role, 11 * k, text_anchor="middle", fill="#1f5fa8"))
    if node.flagged:
        r = 9 * s
        out.append(f'<circle cx="{node.x + node.w - 2 * s:.1f}" cy="{node.y + 2 * s:.1f}" r="{r:.1f}" '
                   f'fill="#c62828"/>')
        out.append(_text(node.x + node.w - 2 * s, node.y + 6 * s, "!", 13 * s, text_anchor="middle",
                         fill="#fff", font_weight="bold"))
    out.append("</g>")
    return out


def _edges(model: MapModel, wide: bool) -> list[str]:
    out = []
    for node in model.nodes.values():
        for kid_id in node.children:
            kid = model.nodes[kid_id]
            if wide:
                x1, y1 = node.x + node.w, node.y + node.h / 2
                x2, y2 = kid.x, kid.y + kid.h / 2
                mid = (x1 + x2) / 2
                path = f"M{x1:.1f},{y1:.1f} H{mid:.1f} V{y2:.1f} H{x2:.1f}"
            else:
                x1, y1 = node.x + node.w / 2, node.y + node.h
                x2, y2 = kid.x + kid.w / 2, kid.y
                mid = (y1 + y2) / 2
                path = f"M{x1:.1f},{y1:.1f} V{mid:.1f} H{x2:.1f} V{y2:.1f}"
            out.append(f'<path d="{path}" fill="none" stroke="#b6bfcc" stroke-width="1.4"/>')
    return out


def _wrap_px(text: str, size: float, room: float) -> list[str]:
    """Wrap at spaces (or between CJK characters) to ``room`` pixels."""
    from rolefinder.textwidth import wrap

    columns = max(10, int(room / (size * 0.5)))
    return wrap(text, columns, "  ")


def _panel(model: MapModel, x: float, y: float, width: float) -> tuple[list[str], float]:
    """Legend, uncovered roles and red flags under the tree; returns the SVG and its height."""
    s, lang = model.scale, model.lang
    out, top = [], y
    out.append(_text(x, y + 14 * s, T("legend", lang), 13 * s, font_weight="bold"))
    cx = x + text_px(T("legend", lang), 13 * s) + 14 * s
    for attitude in ATTITUDES:
        label = value_label(attitude, lang)
        out.append(f'<rect x="{cx:.1f}" y="{y + 2 * s:.1f}" width="{16 * s:.1f}" height="{14 * s:.1f}" '
                   f'rx="{3 * s:.1f}" fill="{FILLS[attitude]}" stroke="{COLOURS[attitude]}" '
                   f'stroke-width="{2 * s:.1f}"/>')
        out.append(_text(cx + 22 * s, y + 14 * s, label, 12 * s))
        cx += 22 * s + text_px(label, 12 * s) + 18 * s
    y += 26 * s
    out.append(_text(x, y + 12 * s, T("influence", lang) + " · " + T("flag_mark", lang), 12 * s, fill="#5b6575"))
    y += 26 * s
    for head, items, colour in ((T("uncovered", lang), model.uncovered, "#1d2430"),
                                (T("flags", lang), model.flags, "#c62828")):
        out.append(_text(x, y + 14 * s, head, 13 * s, font_weight="bold", fill=colour))
        y += 20 * s
        for item in items or [T("none", lang)]:
            for line in _wrap_px("• " + item, 12 * s, width):
                out.append(_text(x + 6 * s, y + 12 * s, line, 12 * s))
                y += 17 * s
        y += 8 * s
    return out, y - top


def _grid(model: MapModel, x: float, y: float) -> tuple[list[str], float, float]:
    """The influence × attitude grid; returns the SVG, its width and height."""
    s, lang = model.scale, model.lang
    head_w, cell_w, line_h = 90 * s, 150 * s, 16 * s
    out = [_text(x, y + 16 * s, T("grid", lang), 15 * s, font_weight="bold")]
    y += 28 * s
    for i, attitude in enumerate(ATTITUDES):
        cx = x + head_w + i * cell_w
        out.append(f'<rect x="{cx:.1f}" y="{y:.1f}" width="{cell_w:.1f}" height="{22 * s:.1f}" '
                   f'fill="{FILLS[attitude]}" stroke="{COLOURS[attitude]}"/>')
        out.append(_text(cx + cell_w / 2, y + 15 * s, value_label(attitude, lang), 12 * s,
                         text_anchor="middle", font_weight="bold"))
    y += 22 * s
    for influence in INFLUENCES:
        cells = [[_fit(n, 11 * s, cell_w - 10 * s) for n in model.grid.get((influence, a), [])]
                 for a in ATTITUDES]
        rows = max(1, *(len(c) for c in cells))
        height = rows * line_h + 10 * s
        label = f"{T('inf_axis', lang)}: {value_label(influence, lang)}"
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{head_w:.1f}" height="{height:.1f}" '
                   f'fill="#eef2f7" stroke="#c9d0da"/>')
        out.append(_text(x + 6 * s, y + 16 * s, _fit(label, 11 * s, head_w - 10 * s), 11 * s, font_weight="bold"))
        for i, names in enumerate(cells):
            cx = x + head_w + i * cell_w
            out.append(f'<rect x="{cx:.1f}" y="{y:.1f}" width="{cell_w:.1f}" height="{height:.1f}" '
                       f'fill="#fff" stroke="#c9d0da"/>')
            for j, name in enumerate(names):
                out.append(_text(cx + 5 * s, y + 15 * s + j * line_h, name, 11 * s))
        y += height
    return out, head_w + len(ATTITUDES) * cell_w, y


def render_svg(ident: Identification, lang: str = "en", large: bool = False) -> str:
    """The standalone SVG: tree, legend, uncovered roles, red flags and the grid."""
    model = build_map(ident, lang, large)
    s = model.scale
    width, height, wide = layout(model)
    margin = 24 * s
    title_room = MAX_BOX * s
    parts: list[str] = []
    offset_y = margin + 34 * s
    for node in model.nodes.values():
        node.x += margin
        node.y += offset_y
    parts += _edges(model, wide)
    for cid in model.order:
        parts += _box(model.nodes[cid], s, title_room)
    grid_w = 90 * s + len(ATTITUDES) * 150 * s
    total_w = max(width, grid_w, 560 * s) + 2 * margin
    panel, panel_h = _panel(model, margin, offset_y + height + 24 * s, total_w - 2 * margin)
    grid, _, grid_end = _grid(model, margin, offset_y + height + 24 * s + panel_h + 10 * s)
    total_h = grid_end + margin
    head = _text(margin, margin + 18 * s, model.title, 20 * s, font_weight="bold")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:.0f} {total_h:.0f}" '
            f'width="{total_w:.0f}" height="{total_h:.0f}" font-family=\'{FONT}\' fill="#1d2430" '
            f'role="img" aria-label="{escape(model.title)}">\n'
            f'<rect width="100%" height="100%" fill="#fff"/>\n{head}\n'
            + "\n".join([*parts, *panel, *grid]) + "\n</svg>\n")


def render_html(ident: Identification, lang: str = "en", large: bool = False) -> str:
    """A self-contained page for a projector: the SVG scaled to the window, nothing fetched."""
    svg = render_svg(ident, lang, large)
    title = escape(T("title", lang, name=inert(ident.account.name)))
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n'
            "<style>\nhtml, body { margin: 0; background: #fff; }\n"
            "main { padding: 1vw; }\nmain svg { display: block; width: 100%; height: auto; }\n"
            "@media print { @page { size: A4 landscape; margin: 10mm; } main { padding: 0; } }\n"
            f"</style>\n</head>\n<body>\n<main>\n{svg}</main>\n</body>\n</html>\n")
