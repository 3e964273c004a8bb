// The workflow graph view: draws the answer of the language server's `coord/graph` request as
// SVG, one group per workflow, laid out here (no library: the webview has no network).
//
// Messages the page takes (window "message" events; the host posts them):
//   {type: "graph", graph}          draw `graph` (the `coord/graph` result; null: nothing to draw)
//                                   again, in place of what was drawn
//   {type: "position", uri, line}   highlight the innermost node whose range holds `line`
//                                   (0-based, as LSP ranges count) in the document `uri`;
//                                   `uri: null` clears the highlight
// Messages it sends (acquireVsCodeApi().postMessage; nothing outside VSCode):
//   {type: "ready"}                 once loaded: the host may post the graph now
//   {type: "reveal", line}          a node was clicked (or Enter pressed on it): show `line`
//                                   (0-based, its range's first line) in the editor
//
// Layout: a workflow is a sequence of nodes top to bottom; a branching node (if, select, an
// await with a timeout branch, parallel, race, for, try, when) has its regions side by side
// under it, each a sequence again, and the sequence goes on under the widest of them. A way
// out of a branching node that skips its regions (an `if` without `else`, a select clause with
// an empty body, the event of an await with a timeout branch) runs down a lane of its own
// beside them. Edges are orthogonal paths with rounded corners.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const GAP_X = 28;          // between regions side by side
  const GAP_Y = 40;          // between nodes one above the other (edges turn halfway)
  const LANE = 18;           // a loop's way back, right of its `for`
  const BYPASS = 22;         // the narrowest lane for a way out that skips the regions
  const PAD_X = 10;
  const LABEL_CHARS = 40;    // edge labels are cut to this
  const WORKFLOW_GAP = 48;
  const MARGIN = 16;
  const TITLE_HEIGHT = 30;

  const FAMILIES = {
    start: "terminal", end: "terminal", complete: "terminal", fail: "failure",
    do: "step", call: "step", use: "step", splice: "step",
    await: "wait", select: "wait", sleep: "timer",
    if: "branch", for: "branch", when: "branch",
    parallel: "fork", race: "fork", join: "fork",
    try: "error", catch: "error", compensate: "compensation",
    emit: "plain", set: "plain",
  };
  const DASHED = new Set(["compensate", "error", "timeout", "loop"]);

  const vscode = typeof acquireVsCodeApi === "function" ? acquireVsCodeApi() : null;
  const post = (message) => { if (vscode) vscode.postMessage(message); };

  let current = null;        // the graph drawn
  let position = null;       // {uri, line} of the last position message
  let measurer = null;
  const widths = new Map();

  // ------------------------------------------------------------------ text

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (parent) parent.appendChild(node);
    return node;
  }

  function textWidth(text, cls) {
    const key = cls + "\u0000" + text;
    if (!widths.has(key)) {
      measurer.setAttribute("class", cls);
      measurer.textContent = text;
      widths.set(key, measurer.getComputedTextLength());
    }
    return widths.get(key);
  }

  function cut(text, chars) {
    return text.length <= chars ? text : text.slice(0, chars - 1) + "…";
  }

  function edgeLabel(edge) {
    if (edge.kind === "branch" || edge.kind === "loop" || edge.kind === "compensate") return "";
    return cut(edge.label || (edge.kind === "next" ? "" : edge.kind), LABEL_CHARS);
  }

  // ------------------------------------------------------------------ structure

  // The tree the layout walks: for each node its items (the sequence it heads), its regions
  // and its compensations. An `elif` hangs under the test before it, as its `no` region, so
  // the ways out of the earlier tests do not cross the later ones.
  function structure(workflow) {
    const nodes = workflow.nodes;
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const out = new Map(nodes.map((n) => [n.id, []]));
    for (const edge of workflow.edges) out.get(edge.source).push(edge);
    const parent = new Map(nodes.map((n) => [n.id, n.parent]));
    const children = new Map(nodes.map((n) => [n.id, []]));
    const top = [];
    for (const n of nodes) (n.parent === null || n.parent === undefined ? top : children.get(n.parent)).push(n);

    const info = new Map();
    for (const n of nodes) info.set(n.id, { node: n, columns: [], compensations: [], elif: null });

    function sequence(list) {
      const ids = [];
      for (let i = 0; i < list.length; i++) {
        const n = list[i];
        ids.push(n.id);
        // `if` then `elif` in one sequence: the elif (and what follows it in the chain) moves under the if.
        let test = n;
        while (test.kind === "if" && i + 1 < list.length && list[i + 1].kind === "if"
               && list[i + 1].label.startsWith("elif ")
               && out.get(test.id).some((e) => e.kind === "no" && e.target === list[i + 1].id)) {
          const next = list[++i];
          info.get(test.id).elif = next.id;
          parent.set(next.id, test.id);
          test = next;
        }
      }
      return ids;
    }

    for (const n of nodes) {
      const item = info.get(n.id);
      const regions = new Map();
      for (const child of children.get(n.id)) {
        if (child.region === "compensate") { item.compensations.push(child.id); continue; }
        // Each `catch` is a region of its own; other regions gather their nodes.
        const key = child.kind === "catch" ? "catch " + child.id : child.region;
        if (!regions.has(key)) regions.set(key, []);
        regions.get(key).push(child);
      }
      item.regions = [...regions.values()];
    }
    const tops = sequence(top);
    for (const item of info.values()) {
      item.columns = item.regions.map((list) => ({ ids: sequence(list) }));
      if (item.elif !== null) item.columns.push({ ids: [item.elif] });
      delete item.regions;
    }

    function within(id, ancestor) {
      for (let p = parent.get(id); p !== null && p !== undefined; p = parent.get(p)) if (p === ancestor) return true;
      return false;
    }

    // A way out that skips the regions gets a lane; after the regions for most nodes, first
    // for a wait (its event is the way on, its timeout the branch).
    for (const item of info.values()) {
      if (!item.columns.length) continue;
      const skip = out.get(item.node.id).find((e) => e.kind !== "compensate" && !within(e.target, item.node.id));
      if (!skip) continue;
      const lane = { bypass: skip, ids: [] };
      if (item.node.kind === "await") item.columns.unshift(lane); else item.columns.push(lane);
    }
    return { byId, info, tops, out, within };
  }

  // ------------------------------------------------------------------ layout

  function nodeSize(n) {
    const label = cut(n.label, 60);
    const detail = detailText(n);
    const width = Math.max(textWidth(label, "node-label"), detail ? textWidth(detail, "node-detail") : 0);
    return { w: Math.max(56, Math.ceil(width) + 2 * PAD_X + (FAMILIES[n.kind] === "branch" ? 16 : 0)),
             h: detail ? 42 : 28 };
  }

  function detailText(n) {
    const parts = [];
    if (n.wait_label) parts.push("label " + n.wait_label);
    if (n.detail) parts.push(n.detail);
    return cut(parts.join(" · "), 60);
  }

  function layoutWorkflow(workflow) {
    const s = structure(workflow);
    const box = new Map();     // node id -> {x, y, w, h}
    const lanes = new Map();   // node id -> x of its bypass lane
    const loops = new Map();   // `for` node id -> x of its way back
    const labelsIn = new Map();
    for (const edge of workflow.edges) if (edgeLabel(edge)) labelsIn.set(edge.target, edgeLabel(edge));

    function measureSeq(ids) {
      const items = ids.map(measureItem);
      return { items, w: Math.max(0, ...items.map((i) => i.w)),
               h: items.reduce((sum, i) => sum + i.h, 0) + GAP_Y * Math.max(0, items.length - 1) };
    }

    function measureColumn(column) {
      if (column.bypass) {
        const label = edgeLabel(column.bypass);
        return { column, w: Math.max(BYPASS, label ? textWidth(label, "edge-label") + 14 : 0), h: 0 };
      }
      const seq = measureSeq(column.ids);
      const first = column.ids.length ? labelsIn.get(column.ids[0]) : "";
      return { column, seq, w: Math.max(seq.w, first ? textWidth(first, "edge-label") + 8 : 0), h: seq.h };
    }

    function measureItem(id) {
      const item = s.info.get(id);
      const size = nodeSize(item.node);
      const comps = item.compensations.map((c) => ({ id: c, ...nodeSize(s.byId.get(c)) }));
      const side = comps.length ? GAP_X + Math.max(...comps.map((c) => c.w)) : 0;
      const columns = item.columns.map(measureColumn);
      const colsW = columns.reduce((sum, c) => sum + c.w, 0) + GAP_X * Math.max(0, columns.length - 1);
      const colsH = Math.max(0, ...columns.map((c) => c.h));
      const loop = item.node.kind === "for" ? LANE : 0;
      return { id, size, comps, columns, colsW, loop,
               w: Math.max(size.w + 2 * side, colsW) + loop,
               h: Math.max(size.h, comps.reduce((sum, c) => sum + c.h + 6, -6)) + (columns.length ? GAP_Y + colsH : 0) };
    }

    function placeSeq(seq, x, y) {
      let top = y;
      for (const item of seq.items) {
        placeItem(item, x + (seq.w - item.w) / 2, top);
        top += item.h + GAP_Y;
      }
    }

    function placeItem(item, x, y) {
      const inner = item.w - item.loop;
      const nx = x + (inner - item.size.w) / 2;
      box.set(item.id, { x: nx, y, w: item.size.w, h: item.size.h });
      let cy = y;
      for (const c of item.comps) {
        box.set(c.id, { x: nx + item.size.w + GAP_X, y: cy, w: c.w, h: c.h });
        cy += c.h + 6;
      }
      if (item.loop) loops.set(item.id, x + item.w - item.loop / 2);
      let cx = x + (inner - item.colsW) / 2;
      const top = y + Math.max(item.size.h, cy - y - 6) + GAP_Y;
      for (const c of item.columns) {
        if (c.column.bypass) lanes.set(item.id, cx + 6);
        else placeSeq(c.seq, cx + (c.w - c.seq.w) / 2, top);
        cx += c.w + GAP_X;
      }
    }

    const root = measureSeq(s.tops);
    placeSeq(root, 0, 0);
    return { workflow, s, box, lanes, loops, w: root.w, h: root.h };
  }

  // ------------------------------------------------------------------ drawing

  // An orthogonal path through `points`, its corners rounded.
  function path(points) {
    const pts = points.filter((p, i) => i === 0 || p[0] !== points[i - 1][0] || p[1] !== points[i - 1][1]);
    let d = `M${pts[0][0]},${pts[0][1]}`;
    for (let i = 1; i < pts.length; i++) {
      const [x, y] = pts[i];
      if (i === pts.length - 1) { d += ` L${x},${y}`; break; }
      const [px, py] = pts[i - 1];
      const [nx, ny] = pts[i + 1];
      const r = Math.min(8, Math.hypot(x - px, y - py) / 2, Math.hypot(nx - x, ny - y) / 2);
      const ax = x - Math.sign(x - px) * r, ay = y - Math.sign(y - py) * r;
      const bx = x + Math.sign(nx - x) * r, by = y + Math.sign(ny - y) * r;
      d += ` L${ax},${ay} Q${x},${y} ${bx},${by}`;
    }
    return d;
  }

  function drawEdge(layout, edge, group) {
    const a = layout.box.get(edge.source), b = layout.box.get(edge.target);
    if (!a || !b) return;
    const sx = a.x + a.w / 2, sb = a.y + a.h, tx = b.x + b.w / 2, ty = b.y;
    let points, label = edgeLabel(edge), at = null, anchor = "middle";
    if (edge.kind === "compensate") {
      points = [[a.x + a.w, a.y + a.h / 2], [b.x, b.y + b.h / 2]];
    } else if (edge.kind === "loop") {
      const lane = layout.loops.get(edge.target);
      points = [[sx, sb], [sx, sb + 12], [lane, sb + 12], [lane, b.y + b.h / 2], [b.x + b.w, b.y + b.h / 2]];
    } else if (layout.lanes.has(edge.source) && !layout.s.within(edge.target, edge.source)) {
      const lane = layout.lanes.get(edge.source);
      points = [[sx, sb], [sx, sb + GAP_Y / 2], [lane, sb + GAP_Y / 2], [lane, ty - GAP_Y / 2], [tx, ty - GAP_Y / 2], [tx, ty]];
      at = [lane + 5, sb + GAP_Y / 2 + 13];
      anchor = "start";
    } else {
      points = [[sx, sb], [sx, ty - GAP_Y / 2], [tx, ty - GAP_Y / 2], [tx, ty]];
      at = [tx, ty - 5];
    }
    el("path", { d: path(points), class: `edge kind-${edge.kind}${DASHED.has(edge.kind) ? " dashed" : ""}`,
                 "marker-end": "url(#arrow)", "data-source": edge.source, "data-target": edge.target }, group);
    if (label && at) {
      const text = el("text", { x: at[0], y: at[1], class: `edge-label kind-${edge.kind}`, "text-anchor": anchor }, group);
      text.textContent = label;
    }
  }

  function shape(family, w, h, group) {
    if (family === "branch") {
      const k = 10;
      return el("polygon", { points: `${k},0 ${w - k},0 ${w},${h / 2} ${w - k},${h} ${k},${h} 0,${h / 2}` }, group);
    }
    if (family === "timer") {
      const k = 8;
      return el("polygon", { points: `${k},0 ${w},0 ${w - k},${h} 0,${h}` }, group);
    }
    const round = family === "terminal" || family === "failure" || family === "wait" ? h / 2 : 4;
    return el("rect", { width: w, height: h, rx: Math.min(round, 14) }, group);
  }

  function drawNode(layout, n, group) {
    const b = layout.box.get(n.id);
    if (!b) return;
    const family = FAMILIES[n.kind] || "plain";
    const g = el("g", { class: `node kind-${n.kind} family-${family}`, transform: `translate(${b.x},${b.y})`,
                        "data-id": n.id, tabindex: 0, role: "button" }, group);
    el("title", {}, g).textContent = [n.label, detailText(n)].filter(Boolean).join("\n");
    shape(family, b.w, b.h, g).setAttribute("class", "shape");
    const detail = detailText(n);
    const label = el("text", { x: b.w / 2, y: detail ? 17 : 18, class: "node-label", "text-anchor": "middle" }, g);
    label.textContent = cut(n.label, 60);
    if (detail) {
      const d = el("text", { x: b.w / 2, y: 33, class: "node-detail", "text-anchor": "middle" }, g);
      d.textContent = detail;
    }
    if (n.range) {
      g.dataset.startLine = n.range.start.line;
      const reveal = () => post({ type: "reveal", line: n.range.start.line });
      g.addEventListener("click", reveal);
      g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); reveal(); } });
    }
  }

  function title(workflow) {
    return workflow.title || (workflow.kind === "workflow" && workflow.version ? `${workflow.name} v${workflow.version}` : workflow.name);
  }

  function draw() {
    const main = document.getElementById("graphs");
    const status = document.getElementById("status");
    main.textContent = "";
    const graph = current;
    if (!graph) {
      status.textContent = "No graph: the document is not a .coord file the language server knows.";
      return;
    }
    const workflows = graph.workflows || [];
    const name = graph.uri ? decodeURIComponent(graph.uri.split("/").pop()) : "";
    status.textContent = !workflows.length ? `${name}: no workflows to draw.`
      : graph.stale ? `${name}: syntax errors; showing version ${graph.version}, the last without any.`
      : `${name}${graph.version !== null && graph.version !== undefined ? ` (version ${graph.version})` : ""}`;
    status.classList.toggle("stale", !!graph.stale);

    const svg = el("svg", { class: "graph", role: "img", "aria-label": "workflow graph" }, main);
    const defs = el("defs", {}, svg);
    const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
                                  orient: "auto-start-reverse" }, defs);
    el("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }, marker);
    measurer = el("text", { x: -1000, y: -1000 }, svg);

    const layouts = workflows.map(layoutWorkflow);
    // Workflows flow left to right and wrap at the window's width.
    const room = Math.max(400, window.innerWidth - 2 * MARGIN);
    let x = MARGIN, y = MARGIN, row = 0, widest = 0;
    for (const layout of layouts) {
      const w = Math.max(layout.w, textWidth(title(layout.workflow), "workflow-title"));
      if (x > MARGIN && x + w > room) { x = MARGIN; y += row + WORKFLOW_GAP; row = 0; }
      const g = el("g", { class: `workflow kind-${layout.workflow.kind}`, "data-name": layout.workflow.name,
                          "data-title": title(layout.workflow), transform: `translate(${x},${y})` }, svg);
      el("text", { x: 0, y: 18, class: "workflow-title" }, g).textContent = title(layout.workflow);
      const body = el("g", { transform: `translate(${(w - layout.w) / 2},${TITLE_HEIGHT})` }, g);
      const edges = el("g", { class: "edges" }, body);
      const nodes = el("g", { class: "nodes" }, body);
      for (const edge of layout.workflow.edges) drawEdge(layout, edge, edges);
      for (const n of layout.workflow.nodes) drawNode(layout, n, nodes);
      row = Math.max(row, layout.h + TITLE_HEIGHT);
      x += w + WORKFLOW_GAP;
      widest = Math.max(widest, x - WORKFLOW_GAP);
    }
    measurer.remove();
    svg.setAttribute("width", widest + MARGIN);
    svg.setAttribute("height", y + row + MARGIN);
    highlight();
  }

  // ------------------------------------------------------------------ the debugger's place

  function innermost(line) {
    let best = null, bestKey = null;
    for (const workflow of (current && current.workflows) || []) {
      for (const n of workflow.nodes) {
        if (!n.range) continue;
        const start = n.range.start, end = n.range.end;
        const last = end.line > start.line && end.character === 0 ? end.line - 1 : end.line;
        if (line < start.line || line > last) continue;
        // Fewest lines first; on one line, the outer node (a step before its compensation).
        const key = [last - start.line, -(end.character - start.character + 1e6 * (end.line - start.line))];
        if (!best || key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
          best = { workflow, node: n };
          bestKey = key;
        }
      }
    }
    return best;
  }

  function highlight() {
    for (const old of document.querySelectorAll(".node.current")) old.classList.remove("current");
    if (!position || position.uri === null || position.uri === undefined || !current) return;
    if (current.uri && position.uri !== current.uri) return;
    const found = innermost(position.line);
    if (!found) return;
    const group = [...document.querySelectorAll("g.workflow")][current.workflows.indexOf(found.workflow)];
    const node = group && group.querySelector(`.node[data-id="${found.node.id}"]`);
    if (!node) return;
    node.classList.add("current");
    node.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // ------------------------------------------------------------------ messages

  window.addEventListener("message", (event) => {
    const message = event.data;
    if (!message || typeof message !== "object") return;
    if (message.type === "graph") {
      current = message.graph || null;
      if (vscode) vscode.setState({ graph: current });
      draw();
    } else if (message.type === "position") {
      position = message.uri === null || message.uri === undefined ? null : { uri: message.uri, line: message.line };
      highlight();
    }
  });

  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => { if (current) draw(); });
  });

  const saved = vscode && vscode.getState();
  if (saved && saved.graph) { current = saved.graph; draw(); }
  post({ type: "ready" });
})();
