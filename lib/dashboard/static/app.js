// The dashboard page: polls /api/state and draws it. Plain browser script, no framework;
// charts are uPlot (served from the package's node_modules). Text goes in with textContent only.
'use strict';

const $ = (id) => document.getElementById(id);
const charts = {};
let updates = 0;

function fmtBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 || Math.abs(v) >= 100 ? 0 : 1)} ${units[u]}`;
}

function fmtMs(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function ago(iso, now) {
  if (!iso) return 'never';
  const ms = now - Date.parse(iso);
  return ms < 60_000 ? 'just now' : `${fmtMs(ms)} ago`;
}

const pct = (f) => `${(f * 100).toFixed(f < 0.1 ? 1 : 0)}%`;

function text(id, value) {
  $(id).textContent = value;
}

function el(tag, content, className) {
  const e = document.createElement(tag);
  if (content !== undefined) e.textContent = content;
  if (className) e.className = className;
  return e;
}

function fillTable(id, rows) {
  const body = $(id).querySelector('tbody');
  body.replaceChildren(
    ...rows.map((cells) => {
      const tr = el('tr');
      for (const c of cells) {
        const td = el('td', c.text, c.className);
        if (c.title) td.title = c.title;
        tr.append(td);
      }
      return tr;
    }),
  );
  if (rows.length === 0) {
    const tr = el('tr');
    const td = el('td', 'none', 'muted');
    td.colSpan = $(id).querySelectorAll('th').length;
    tr.append(td);
    body.append(tr);
  }
}

function cards(s) {
  const u = s.usage;
  text('dir', s.dir + (s.exists ? '' : ' (does not exist yet)'));
  text('updated', `updated ${new Date(s.generatedAt).toLocaleTimeString()}`);
  text('used', fmtBytes(u.bytes));
  text('used-note', u.maxBytes ? `of ${fmtBytes(u.maxBytes)} budget (${pct(u.bytes / u.maxBytes)})` : 'no maxBytes budget recorded');
  text('entries', String(u.entries));
  text('entries-note', `${u.ok} ok, ${u.stale} stale, ${u.broken} broken`);
  const t = s.history.totals;
  text('hit-rate', t.hitRate === null ? '–' : pct(t.hitRate));
  text('hit-note', `${t.hits} hits, ${t.misses} misses, ${t.uncached} uncached (history)`);
  text('saved', fmtMs(t.savedMs));
  const v = u.volume;
  text('volume', v ? `${fmtBytes(v.availableBytes)} free` : '–');
  text('volume-note', v ? `of ${fmtBytes(v.totalBytes)}` : 'statfs unavailable');

  const bar = $('budget-bar');
  const f = u.maxBytes ? u.bytes / u.maxBytes : 0;
  bar.style.width = `${Math.min(100, f * 100)}%`;
  bar.className = f > 1 ? 'over' : f >= 0.9 ? 'warn' : '';
  text('budget-label', u.maxBytes ? `${fmtBytes(u.bytes)} of ${fmtBytes(u.maxBytes)} (${pct(f)})` : `${fmtBytes(u.bytes)} (no budget)`);
  if (v && v.totalBytes > 0) {
    const cache = u.bytes + u.metadataBytes + u.unaccountedBytes;
    const other = Math.max(0, v.totalBytes - v.availableBytes - cache);
    $('volume-cache').style.width = `${(cache / v.totalBytes) * 100}%`;
    $('volume-other').style.width = `${(other / v.totalBytes) * 100}%`;
    text(
      'volume-label',
      `cache ${fmtBytes(cache)} · other ${fmtBytes(other)} · free ${fmtBytes(v.availableBytes)} of ${fmtBytes(v.totalBytes)}`,
    );
  }
}

const bytesAxis = { values: (u, ticks) => ticks.map(fmtBytes), size: 70 };

function chart(id, opts, data) {
  const box = $(id);
  const width = Math.max(300, box.clientWidth);
  if (!charts[id]) charts[id] = new uPlot({ width, height: 220, ...opts }, data, box);
  else charts[id].setData(data);
}

function usageChart(s) {
  const h = s.history;
  const xs = h.usage.map((p) => p[0] / 1000);
  const hasMax = h.usage.some((p) => p[2] !== null);
  const series = [
    {},
    {
      label: 'cache bytes',
      stroke: '#3a6fd8',
      fill: 'rgba(58,111,216,0.15)',
      width: 2,
      points: { show: true, size: 7, fill: '#3a6fd8' },
      value: (u, v) => (v === null ? '–' : fmtBytes(v)),
    },
  ];
  const data = [xs, h.usage.map((p) => p[1])];
  if (hasMax) {
    series.push({ label: 'maxBytes', stroke: '#b3261e', dash: [6, 4], width: 1, value: (u, v) => (v === null ? '–' : fmtBytes(v)) });
    data.push(h.usage.map((p) => p[2]));
  }
  const range = [h.from / 1000, h.to / 1000 + 1];
  chart(
    'usage-chart',
    { series, scales: { x: { time: true, range }, y: { range: (u, min, max) => [0, Math.max(1, max) * 1.1] } }, axes: [{}, bytesAxis] },
    data,
  );
}

function hitsChart(s) {
  const b = s.history.buckets;
  const xs = b.map((x) => x.t / 1000);
  const hits = b.map((x) => x.hits);
  const withMiss = b.map((x) => x.hits + x.misses);
  const all = b.map((x) => x.hits + x.misses + x.uncached);
  const bars = uPlot.paths.bars({ size: [0.7, 40] });
  const range = [h0(s) / 1000, s.history.to / 1000 + s.history.bucketMs / 1000];
  chart(
    'hits-chart',
    {
      series: [
        {},
        {
          label: 'uncached',
          fill: '#9aa1b0',
          stroke: '#9aa1b0',
          paths: bars,
          value: (u, v, si, i) => (i === null ? '–' : String(b[i].uncached)),
        },
        {
          label: 'misses',
          fill: '#e0863a',
          stroke: '#e0863a',
          paths: bars,
          value: (u, v, si, i) => (i === null ? '–' : String(b[i].misses)),
        },
        { label: 'hits', fill: '#2f9e5b', stroke: '#2f9e5b', paths: bars },
        {
          label: 'hit rate',
          stroke: '#1d2330',
          width: 2,
          scale: 'rate',
          value: (u, v) => (v === null ? '–' : pct(v)),
          points: { show: true },
        },
      ],
      scales: { x: { time: true, range }, y: { range: (u, min, max) => [0, Math.max(1, max)] }, rate: { range: [0, 1] } },
      axes: [{}, { label: 'compiles' }, { scale: 'rate', side: 1, values: (u, t) => t.map(pct), grid: { show: false } }],
    },
    [xs, all, withMiss, hits, b.map((x) => x.hitRate)],
  );
}

const h0 = (s) => s.history.from;
const DEVICE_COLORS = { CPU: '#3a6fd8', GPU: '#7b4bd1', NPU: '#1f9aa8' };
const deviceColor = (d) => DEVICE_COLORS[(d || '').split(/[.:]/)[0]] || '#7d8597';

function models(s) {
  const box = $('models');
  const widest = Math.max(1, ...s.models.map((m) => m.bytes));
  box.replaceChildren(
    ...s.models.map((m) => {
      const row = el('div', undefined, 'model');
      const head = el('div', undefined, 'model-head');
      head.append(
        el('b', m.model),
        el('span', `${m.entries.length} entr${m.entries.length === 1 ? 'y' : 'ies'}`),
        el('span', fmtBytes(m.bytes)),
        el('span', `${m.hits} hits`, 'muted'),
      );
      const stack = el('div', undefined, 'stack');
      stack.style.width = `${Math.max(2, (m.bytes / widest) * 100)}%`;
      for (const e of m.entries) {
        const seg = el('div', e.shapes ? e.shapes.replace(/^[^=]*=/, '').replace(/ [^=]*=/g, ' ') : e.name);
        seg.style.flex = `${e.bytes} 1 0`;
        seg.style.background = deviceColor(e.device);
        seg.title = `${e.name}\n${e.shapes || '(no shapes)'} on ${e.device || '?'}\n${fmtBytes(e.bytes)}, ${e.hits} hits, ${e.state}`;
        stack.append(seg);
      }
      row.append(head, stack);
      return row;
    }),
  );
  if (s.models.length === 0) box.replaceChildren(el('p', 'The cache has no entries yet.', 'muted'));
}

function tables(s) {
  const now = Date.parse(s.generatedAt);
  fillTable(
    'largest',
    s.largest.map((e) => [
      { text: e.model, title: e.name },
      { text: e.shapes || '–' },
      { text: e.device || '?' },
      { text: fmtBytes(e.bytes), className: 'num' },
      { text: String(e.hits), className: 'num' },
    ]),
  );
  fillTable(
    'stalest',
    s.stalest.map((e) => [
      { text: e.model, title: `${e.name} ${e.shapes}` },
      { text: ago(e.lastUsedAt, now) },
      { text: fmtBytes(e.bytes), className: 'num' },
      { text: e.state, className: `state-${e.state}` },
    ]),
  );
  fillTable(
    'evictions',
    s.evictions.map((e) => [
      { text: ago(new Date(e.t).toISOString(), now) },
      { text: e.model || e.name, title: e.name },
      { text: e.reason },
      { text: fmtBytes(e.bytes), className: 'num' },
    ]),
  );
  const r = s.runtime;
  text(
    'runtime',
    r.found
      ? `Runtime: OpenVINO ${r.version} from ${r.library}${r.standIn ? ' (the ovcache test stand-in: timings are simulated)' : ''}; devices ${r.devices.join(', ') || 'none'}. History: ${s.history.processes} process(es), ${fmtMs(s.history.bucketMs)} buckets.`
      : // The finder's first sentence; its list of every place searched is what `ovcache doctor` prints.
        `No OpenVINO runtime found: ${String(r.error).split(/\n|(?<=\.) Places searched/)[0]} "ovcache doctor" lists the places searched.`,
  );
}

function results(s) {
  const r = s.results;
  text('results-dir', r.dir + (r.exists ? '' : ' (no result store yet)'));
  text('results-hit-rate', r.hitRate === null ? '–' : pct(r.hitRate));
  text('results-hit-note', `${r.hits} hits, ${r.misses} misses, ${r.bypasses} bypassed (every process)`);
  text('results-entries', String(r.entries));
  text('results-bytes', fmtBytes(r.bytes));
  text('results-saved', fmtMs(r.timeSavedMs));
}

function registry(s) {
  const g = s.registry;
  const p = g.processes;
  const waits = p.reduce(
    (w, x) => ({ count: w.count + x.waits.count, totalMs: w.totalMs + x.waits.totalMs, maxMs: Math.max(w.maxMs, x.waits.maxMs) }),
    {
      count: 0,
      totalMs: 0,
      maxMs: 0,
    },
  );
  text(
    'registry-note',
    p.length === 0
      ? '(no serving process records its registry here: recordRegistry(), docs/observability.md)'
      : `${p.length} process(es), ${p.reduce((n, x) => n + x.loaded, 0)} model(s) loaded, ${p.reduce((n, x) => n + x.queued, 0)} queued now; ` +
          `${p.reduce((n, x) => n + x.infers, 0)} inferences, waits avg ${fmtMs(waits.count ? waits.totalMs / waits.count : 0)}, max ${fmtMs(waits.maxMs)}` +
          (g.stopped ? `; ${g.stopped} stopped` : ''),
  );
  fillTable(
    'registry',
    p.flatMap((x) =>
      x.models.map((m) => [
        { text: `${x.pid}`, title: `${x.host}, since ${new Date(x.startedAt).toLocaleString()}` },
        { text: m.name || m.model, title: m.model },
        { text: m.device },
        { text: String(m.queueDepth), className: 'num' },
        { text: String(m.inFlight), className: 'num' },
        { text: String(m.inferRequests), className: 'num' },
        { text: fmtBytes(m.bytes), className: 'num' },
      ]),
    ),
  );
}

async function update() {
  let s;
  try {
    const res = await fetch('/api/state', { cache: 'no-store' });
    s = await res.json();
    if (!res.ok) throw new Error(s.error || res.statusText);
  } catch (error) {
    $('error').hidden = false;
    text('error', `Could not read the cache: ${error.message}`);
    setTimeout(update, 5000);
    return;
  }
  $('error').hidden = true;
  cards(s);
  results(s);
  registry(s);
  usageChart(s);
  hitsChart(s);
  models(s);
  tables(s);
  document.body.dataset.updates = String(++updates);
  setTimeout(update, s.refreshMs);
}

window.addEventListener('resize', () => {
  for (const [id, c] of Object.entries(charts)) c.setSize({ width: Math.max(300, $(id).clientWidth), height: 220 });
});
update();
