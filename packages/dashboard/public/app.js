// The Troupe dashboard page: reads /api/cluster once a second and draws members, topology and charts.
// Text from the cluster (actor names, reasons) goes into the page through textContent, never as HTML.

const POLL_MS = 1000;
/** Past this many links, RTT and msgs/s show on hover only. */
const MAX_EDGE_LABELS = 10;
const SVG = 'http://www.w3.org/2000/svg';

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function num(value, digits = 0) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(digits);
}

function duration(ms) {
  if (ms === undefined) return '–';
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
}

function cell(value, numeric = true) {
  return el('td', numeric ? { class: 'num' } : {}, value);
}

function role(m) {
  if (m.observer) return 'observer';
  if (m.type === 255) return 'harbor';
  if (m.stats?.gateway) return 'gateway';
  return `type ${m.type}`;
}

function counts(record) {
  const entries = Object.entries(record ?? {});
  return entries.length === 0 ? '–' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function renderSummary(view) {
  const up = view.members.filter((m) => m.state === 'up').length;
  const down = view.members.length - up;
  const last = (series) => series[series.length - 1] ?? 0;
  const items = [
    ['members up', up],
    ['down', down],
    ['msgs/s', num(last(view.series.msgsPerSec))],
    ['sessions', num(last(view.series.sessions))],
    ['asks/s', num(last(view.series.asksPerSec))],
    ['ask p99 ms', num(last(view.series.askP99Ms), 2)],
    ['dead letters/s', num(last(view.series.deadLettersPerSec), 1)],
  ];
  document
    .querySelector('#summary')
    .replaceChildren(...items.map(([label, value]) => el('span', {}, el('b', {}, value), ` ${label}`)));
}

function renderMembers(view) {
  const rows = [];
  let group = '';
  for (const m of view.members) {
    const key = `group ${m.group} · type ${m.type}`;
    if (key !== group) {
      group = key;
      const size = view.members.filter((x) => x.group === m.group && x.type === m.type).length;
      rows.push(el('tr', { class: 'group' }, el('td', { colspan: 15 }, `${key} (${size})`)));
    }
    // A down member's last figures would read as live ones.
    const s = m.state === 'down' ? undefined : m.stats;
    const title = m.downReason === undefined ? undefined : `${m.downReason}`;
    rows.push(
      el(
        'tr',
        { 'data-addr': m.addr, 'data-state': m.state },
        cell(m.addr, false),
        el('td', {}, el('span', { class: `state ${m.state}`, title }, m.state)),
        cell(`${role(m)}${m.available ? '' : ' (draining)'}`, false),
        cell(num(m.load)),
        cell(num(s?.actors)),
        cell(s?.mailboxes[0] ? `${s.mailboxes[0].depth} (${s.mailboxes[0].name})` : '0', false),
        cell(num(s?.asksInFlight)),
        cell(num(s?.asksPerSec)),
        cell(num(s?.askP50Ms, 2)),
        cell(num(s?.askP99Ms, 2)),
        cell(num(s?.msgsInPerSec)),
        cell(num(s?.msgsOutPerSec)),
        cell(num(s?.deadLetters)),
        cell(num(s?.probeMs, 1)),
        cell(duration(s?.uptimeMs)),
      ),
    );
  }
  fill(document.querySelector('#members tbody'), rows);
}

/** Members on a circle, links as edges labelled with RTT and msgs/s (both ends' reports merged). */
function renderTopology(view) {
  const root = document.querySelector('#topology');
  const members = view.members;
  const cx = 260;
  const cy = 200;
  const r = members.length <= 1 ? 0 : 150;
  const at = new Map();
  members.forEach((m, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, members.length) - Math.PI / 2;
    at.set(m.addr, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a), m });
  });
  const edges = new Map();
  for (const l of view.links) {
    const key = [l.from, l.to].sort().join('-');
    const e = edges.get(key) ?? { a: l.from, b: l.to, msgs: 0, rtt: undefined, state: l.state };
    e.msgs = Math.max(e.msgs, l.msgsPerSec);
    if (l.rttMs !== undefined) e.rtt = e.rtt === undefined ? l.rttMs : Math.min(e.rtt, l.rttMs);
    if (l.state !== 'up') e.state = l.state;
    edges.set(key, e);
  }
  const parts = [];
  for (const e of edges.values()) {
    const a = at.get(e.a);
    const b = at.get(e.b);
    if (a === undefined || b === undefined) continue;
    const down = e.state !== 'up' || a.m.state !== 'up' || b.m.state !== 'up';
    const rtt = e.rtt === undefined ? '' : `${e.rtt.toFixed(1)} ms · `;
    const label = `${rtt}${num(e.msgs)}/s`;
    const line = svg('line', {
      x1: a.x,
      y1: a.y,
      x2: b.x,
      y2: b.y,
      class: down ? 'edge down' : 'edge',
      'stroke-width': 1 + Math.min(5, Math.log10(1 + e.msgs)),
    });
    // Hovering a link names it; with many links only the hover does, so the picture stays readable.
    line.append(svg('title', {}, `${e.a} – ${e.b}: ${label}`));
    parts.push(line);
    if (edges.size <= MAX_EDGE_LABELS)
      parts.push(
        svg(
          'text',
          { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 3, class: 'edge-label', 'text-anchor': 'middle' },
          label,
        ),
      );
  }
  for (const { x, y, m } of at.values()) {
    const g = svg('g', { 'data-addr': m.addr, 'data-state': m.state });
    g.append(svg('circle', { cx: x, cy: y, r: 20, class: m.state, 'stroke-width': 2 }));
    g.append(svg('text', { x, y: y + 4, 'text-anchor': 'middle' }, m.addr));
    g.append(svg('text', { x, y: y + 34, 'text-anchor': 'middle', class: 'edge-label' }, role(m)));
    parts.push(g);
  }
  root.replaceChildren(...parts);
  document.querySelector('#topology-note').textContent =
    view.links.length === 0
      ? 'No link figures: links open on first traffic, and a transport without linkStats reports none.'
      : `${edges.size} links${edges.size > MAX_EDGE_LABELS ? ' (hover a link for its RTT and msgs/s)' : ''}`;
}

function renderGateways(view) {
  const rows = view.members
    .filter((m) => m.stats?.gateway)
    .map((m) => {
      const g = m.stats.gateway;
      const routes =
        g.routes.map((r) => `${r.route} ${num(r.inPerSec)} · ${num(r.outPerSec)}`).join(', ') || '–';
      return el(
        'tr',
        { 'data-addr': m.addr },
        cell(m.addr, false),
        cell(num(g.sessions)),
        cell(num(g.detached)),
        cell(routes, false),
        cell(counts(g.refusals), false),
      );
    });
  fill(
    document.querySelector('#gateways tbody'),
    rows.length ? rows : [el('tr', {}, el('td', { colspan: 5, class: 'note' }, 'no gateway in the cluster'))],
  );
}

function renderHarbors(view) {
  const rows = view.members
    .filter((m) => m.stats?.harbor)
    .map((m) => {
      const h = m.stats.harbor;
      return el(
        'tr',
        { 'data-addr': m.addr },
        cell(m.addr, false),
        cell(num(h.forwarded)),
        cell(num(h.forwardedPerSec)),
        cell(num(h.bytesPerSec)),
        cell(counts(h.dropped), false),
      );
    });
  fill(
    document.querySelector('#harbors tbody'),
    rows.length ? rows : [el('tr', {}, el('td', { colspan: 5, class: 'note' }, 'no harbor in the cluster'))],
  );
}

function renderActors(view) {
  const rows = view.members
    .filter((m) => m.stats && m.state !== 'down')
    .map((m) => {
      const s = m.stats;
      const deepest = s.mailboxes.map((x) => `${x.name} ${x.depth}`).join(', ') || 'all empty';
      return el(
        'tr',
        { 'data-addr': m.addr },
        cell(m.addr, false),
        cell(num(s.actors)),
        cell(num(s.systemActors)),
        cell(deepest, false),
        cell(num(s.deadLettersPerSec, 1)),
        cell(s.extensions.join(', ') || '–', false),
      );
    });
  fill(document.querySelector('#actors tbody'), rows);
}

const CHARTS = [
  ['msgsPerSec', 'messages/s (cluster, in)', '#58a6ff'],
  ['deadLettersPerSec', 'dead letters/s', '#f85149'],
  ['sessions', 'sessions', '#3fb950'],
  ['asksInFlight', 'asks in flight', '#d29922'],
  ['asksPerSec', 'asks/s (cluster)', '#39c5cf'],
  ['askP99Ms', 'ask p99, slowest node (ms)', '#db61a2'],
  ['probeMs', 'stats ask latency (ms)', '#bc8cff'],
];
const charts = new Map();

function renderCharts(view) {
  const root = document.querySelector('#charts');
  const t = view.series.t;
  for (const [key, label, color] of CHARTS) {
    const data = [t, view.series[key]];
    let chart = charts.get(key);
    if (chart === undefined) {
      const box = el('div', { class: 'chart', 'data-series': key }, el('h3', {}, label));
      root.append(box);
      chart = new uPlot(
        {
          width: 250,
          height: 120,
          legend: { show: false },
          cursor: { show: false },
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
          axes: [
            { stroke: '#8898a8', grid: { stroke: '#2a3540' } },
            { stroke: '#8898a8', grid: { stroke: '#2a3540' }, size: 40 },
          ],
          series: [{}, { stroke: color, width: 1.5, fill: `${color}22` }],
        },
        data,
        box,
      );
      charts.set(key, chart);
    } else chart.setData(data);
  }
}

async function tick() {
  const status = document.querySelector('#status');
  try {
    const res = await fetch('/api/cluster', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const view = await res.json();
    renderSummary(view);
    renderMembers(view);
    renderTopology(view);
    renderGateways(view);
    renderHarbors(view);
    renderActors(view);
    renderCharts(view);
    status.className = 'status';
    status.textContent = `served by ${view.observer} · updated ${new Date(view.now).toLocaleTimeString()}`;
    document.body.dataset.updated = String(view.now);
  } catch (err) {
    status.className = 'status error';
    status.textContent = `dashboard unreachable: ${err.message}`;
  } finally {
    setTimeout(tick, POLL_MS);
  }
}

tick();
