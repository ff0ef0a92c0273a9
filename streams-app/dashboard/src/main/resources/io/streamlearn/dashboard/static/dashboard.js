// streamlearn dashboard: polls api/state every second and draws plain SVG. No build step.
'use strict';
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
let lastState = null;

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

function fmt(v, digits) {
  if (v === null || v === undefined || v < 0 || Number.isNaN(v)) return '–';
  return Number(v).toFixed(digits === undefined ? 3 : digits);
}

// as fmt, for figures that may be negative (a log-likelihood ratio, its lower threshold)
function signed(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return Number(v).toFixed(digits === undefined ? 3 : digits);
}

function short(n) {
  if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
  if (n >= 1e3) return (n / 1e3).toFixed(n >= 1e4 ? 0 : 1) + 'k';
  return String(Math.round(n * 100) / 100);
}

// series: [{name, color, points: [[x, y]], right: bool}]; opts: {xTime, yMin, yMax, vlines: [{x, label}]}
function lineChart(svg, series, opts) {
  const vb = svg.viewBox.baseVal, W = vb.width, H = vb.height;
  const m = {l: 44, r: opts.rightLabel ? 44 : 10, t: 10, b: 22};
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const all = series.flatMap(s => s.points);
  let drawn = 0;
  if (all.length === 0) {
    el('text', {x: W / 2 - 40, y: H / 2}, svg).textContent = 'waiting for data…';
    svg.dataset.points = '0';
    return;
  }
  const xs = all.map(p => p[0]);
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  if (x1 === x0) x1 = x0 + 1;
  const range = (pts, lo, hi) => {
    const ys = pts.map(p => p[1]);
    let a = lo !== undefined ? lo : Math.min(...ys), b = hi !== undefined ? hi : Math.max(...ys);
    if (b === a) b = a + 1;
    return [a, b];
  };
  const left = range(series.filter(s => !s.right).flatMap(s => s.points).concat([[0, opts.yMin || 0]]),
      opts.yMin, opts.yMax);
  const rightPts = series.filter(s => s.right).flatMap(s => s.points);
  const right = rightPts.length ? range(rightPts.concat([[0, 0]])) : null;
  const sx = x => m.l + (x - x0) / (x1 - x0) * (W - m.l - m.r);
  const sy = (y, r) => H - m.b - (y - r[0]) / (r[1] - r[0]) * (H - m.t - m.b);
  for (let i = 0; i <= 4; i++) {
    const yv = left[0] + (left[1] - left[0]) * i / 4, y = sy(yv, left);
    el('line', {x1: m.l, x2: W - m.r, y1: y, y2: y, class: 'grid'}, svg);
    el('text', {x: 2, y: y + 4}, svg).textContent = short(yv);
    if (right) {
      el('text', {x: W - m.r + 4, y: y + 4}, svg).textContent =
          short(right[0] + (right[1] - right[0]) * i / 4);
    }
  }
  el('line', {x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: 'axis'}, svg);
  el('line', {x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: 'axis'}, svg);
  const xl = v => opts.xTime ? new Date(v).toLocaleTimeString() : short(v);
  el('text', {x: m.l, y: H - 6}, svg).textContent = xl(x0);
  el('text', {x: W - m.r - 110, y: H - 6}, svg).textContent = xl(x1) + (opts.xLabel ? ' ' + opts.xLabel : '');
  (opts.vlines || []).forEach(v => {
    if (v.x < x0 || v.x > x1) return;
    el('line', {x1: sx(v.x), x2: sx(v.x), y1: m.t, y2: H - m.b, class: 'swap'}, svg);
    el('text', {x: sx(v.x) + 2, y: m.t + 10}, svg).textContent = v.label;
  });
  series.forEach(s => {
    if (!s.points.length) return;
    const r = s.right ? right : left;
    const d = s.points.map((p, i) => (i ? 'L' : 'M') + sx(p[0]).toFixed(1) + ',' + sy(p[1], r).toFixed(1)).join(' ');
    el('path', {d: d, class: 'series', stroke: s.color, 'data-name': s.name}, svg);
    if (s.points.length === 1) {
      el('circle', {cx: sx(s.points[0][0]), cy: sy(s.points[0][1], r), r: 3, fill: s.color}, svg);
    }
    drawn += s.points.length;
  });
  svg.dataset.points = String(drawn);
}

function legend(id, series) {
  const box = document.getElementById(id);
  box.innerHTML = '';
  series.forEach(s => {
    const span = document.createElement('span');
    span.innerHTML = '<i style="background:' + s.color + '"></i>';
    span.appendChild(document.createTextNode(s.name + ' (' + s.points.length + ')'));
    box.appendChild(span);
  });
}

function metricSeries(training, match, offset) {
  const byKey = {};
  training.forEach(p => {
    for (const k in p.metrics) {
      if (match(k)) (byKey[k] = byKey[k] || []).push([p.examplesSeen, p.metrics[k]]);
    }
  });
  return Object.keys(byKey).sort().map((k, i) => ({name: 'trainer ' + k, points: byKey[k],
    color: COLORS[(i + offset) % COLORS.length]}));
}

function drawCurves(s) {
  const vlines = s.versions.filter(v => v.createdAt > 0 && v.examplesSeen > 0)
      .map(v => ({x: v.examplesSeen, label: 'v' + v.version}));
  const acc = [
    {name: 'served prequential accuracy', color: COLORS[0],
      points: s.curve.map(p => [p.n, p.accuracy])},
    {name: 'hold-out accuracy', color: COLORS[1],
      points: s.curve.filter(p => p.heldOutAccuracy !== null).map(p => [p.n, p.heldOutAccuracy])},
  ].concat(metricSeries(s.training, k => /accuracy/i.test(k), 2));
  lineChart(document.getElementById('chart-accuracy'), acc, {yMin: 0, yMax: 1, vlines: vlines, xLabel: 'labeled events'});
  legend('legend-accuracy', acc);
  const loss = metricSeries(s.training, k => /loss/i.test(k), 0);
  lineChart(document.getElementById('chart-loss'), loss, {vlines: vlines, xLabel: 'examples'});
  legend('legend-loss', loss);
  const tp = [
    {name: 'predictions/s', color: COLORS[0], points: s.throughput.map(b => [b.t, b.predictions])},
    {name: 'mean latency ms (right)', color: COLORS[3], right: true, points: s.throughput.map(b => [b.t, b.meanLatencyMs])},
    {name: 'p99 latency ms (right)', color: COLORS[1], right: true, points: s.throughput.map(b => [b.t, b.p99LatencyMs])},
  ];
  lineChart(document.getElementById('chart-throughput'), tp, {xTime: true, rightLabel: true});
  legend('legend-throughput', tp);
}

function drawTimeline(s) {
  const svg = document.getElementById('timeline');
  const W = svg.viewBox.baseVal.width;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const aliasNames = [...new Set(s.aliasMoves.map(m => m.alias))].sort();
  const rows = ['versions', 'served'].concat(aliasNames.map(a => '@' + a));
  const times = s.versions.filter(v => v.createdAt > 0).map(v => v.createdAt)
      .concat(s.aliasMoves.map(m => m.movedAt), s.swaps.map(w => w.at));
  if (!times.length) {
    el('text', {x: W / 2 - 40, y: 60}, svg).textContent = 'no versions yet';
    svg.dataset.points = '0';
    return;
  }
  let t0 = Math.min(...times), t1 = Math.max(...times, s.now);
  if (t1 === t0) t1 = t0 + 1;
  const rowH = Math.min(28, 120 / rows.length);
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + (rows.length * rowH + 26));
  const sx = t => 80 + (t - t0) / (t1 - t0) * (W - 100);
  const sy = i => 14 + i * rowH;
  rows.forEach((r, i) => {
    el('text', {x: 2, y: sy(i) + 4}, svg).textContent = r;
    el('line', {x1: 80, x2: W - 20, y1: sy(i), y2: sy(i), class: 'grid'}, svg);
  });
  let marks = 0;
  s.versions.filter(v => v.createdAt > 0).forEach(v => {
    el('circle', {cx: sx(v.createdAt), cy: sy(0), r: 4, fill: COLORS[0]}, svg);
    el('text', {x: sx(v.createdAt) - 6, y: sy(0) - 6}, svg).textContent = 'v' + v.version;
    marks++;
  });
  s.swaps.forEach(w => {
    el('rect', {x: sx(w.at) - 3, y: sy(1) - 3, width: 6, height: 6, fill: COLORS[2]}, svg);
    el('text', {x: sx(w.at) - 6, y: sy(1) - 6}, svg).textContent = 'v' + w.version;
    marks++;
  });
  s.aliasMoves.forEach(m => {
    const i = 2 + aliasNames.indexOf(m.alias), x = sx(m.movedAt), y = sy(i);
    el('path', {d: 'M' + (x - 4) + ',' + (y + 4) + ' L' + x + ',' + (y - 4) + ' L' + (x + 4) + ',' + (y + 4) + ' Z',
      fill: m.movedBy === 'trainer' ? COLORS[3] : COLORS[4]}, svg);
    el('text', {x: x - 6, y: y - 6}, svg).textContent = 'v' + m.version;
    marks++;
  });
  el('text', {x: 80, y: rows.length * rowH + 22}, svg).textContent = new Date(t0).toLocaleTimeString();
  el('text', {x: W - 90, y: rows.length * rowH + 22}, svg).textContent = new Date(t1).toLocaleTimeString();
  svg.dataset.points = String(marks);
}

function className(s, c) {
  if (c === null || c === undefined) return '–';
  return s.classNames && s.classNames[c] ? c + ' ' + s.classNames[c] : String(c);
}

function drawTables(s) {
  const byVersion = {};
  for (const a in s.aliases) (byVersion[s.aliases[a]] = byVersion[s.aliases[a]] || []).push(a);
  const newest = s.versions.filter(v => v.createdAt > 0).slice(-1)[0];
  document.getElementById('model-inputs').textContent = !newest ? ''
      : 'v' + newest.version + ': ' + newest.architecture + (newest.inputs && newest.inputs.length
          ? '  |  inputs: ' + newest.inputs.join(', ') : '');
  const tbody = document.querySelector('#versions tbody');
  tbody.innerHTML = '';
  s.versions.slice().reverse().slice(0, 30).forEach(v => {
    const tr = document.createElement('tr');
    [ 'v' + v.version, (byVersion[v.version] || []).join(', '),
      v.createdAt ? new Date(v.createdAt).toLocaleTimeString() : '(not in registry)',
      short(v.examplesSeen), fmt(v.metrics.prequentialAccuracy), fmt(v.servedAccuracy),
      fmt(v.heldOutAccuracy), short(v.served)
    ].forEach(t => { const td = document.createElement('td'); td.textContent = t; tr.appendChild(td); });
    tbody.appendChild(tr);
  });
  const select = document.getElementById('promote-version');
  const chosen = select.value;
  const options = s.versions.filter(v => v.createdAt > 0).map(v => String(v.version)).reverse();
  if (select.options.length !== options.length) {
    select.innerHTML = '';
    options.forEach(o => { const opt = document.createElement('option'); opt.value = o; opt.textContent = 'v' + o; select.appendChild(opt); });
    if (options.includes(chosen)) select.value = chosen;
  }
  const moves = document.getElementById('alias-moves');
  moves.innerHTML = '';
  s.aliasMoves.slice().reverse().slice(0, 50).forEach(m => {
    const li = document.createElement('li');
    li.textContent = new Date(m.movedAt).toLocaleTimeString() + '  @' + m.alias + ': v' + m.previousVersion
        + ' → v' + m.version + ' by ' + m.movedBy + (m.reason ? ' (' + m.reason + ')' : '');
    moves.appendChild(li);
  });
  const alerts = document.getElementById('alerts');
  alerts.innerHTML = s.alerts.length ? '' : '<li class="muted">none</li>';
  s.alerts.slice().reverse().forEach(a => {
    const li = document.createElement('li');
    li.className = 'alert-' + a.type;
    li.textContent = new Date(a.t).toLocaleTimeString() + ' ' + a.type + ' at v' + a.version + ': ' + a.message;
    alerts.appendChild(li);
  });
}

// rows: arrays of cells; a cell is text, or {text, cls} for a styled one, or a DOM node
function fillTable(id, rows, empty, columns) {
  const tbody = document.querySelector('#' + id + ' tbody');
  tbody.innerHTML = '';
  if (!rows.length) {
    const td = document.createElement('td');
    td.className = 'muted'; td.colSpan = columns; td.textContent = empty;
    tbody.appendChild(document.createElement('tr')).appendChild(td);
    tbody.dataset.rows = '0';
    return;
  }
  rows.forEach(cells => {
    const tr = document.createElement('tr');
    cells.forEach(c => {
      const td = document.createElement('td');
      if (c instanceof Node) td.appendChild(c);
      else if (c !== null && typeof c === 'object') { td.textContent = c.text; td.className = c.cls || ''; }
      else td.textContent = c;
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  });
  tbody.dataset.rows = String(rows.length);
}

function drawEvaluation(s) {
  fillTable('served', (s.served || []).map(r => ['v' + r.version, r.alias ? '@' + r.alias : '–',
    fmt(r.accuracy), short(r.evaluated), short(r.leaked), fmt(r.metrics.logLoss),
    fmt(r.trainerPrequentialAccuracy), fmt(r.trainerHoldoutAccuracy)]), 'no evaluation yet', 8);

  const verdicts = s.challenger || [];
  fillTable('challenger', verdicts.map(v => [
    '@' + v.liveAlias + ' v' + v.liveVersion + ' → @' + v.challengerAlias + ' v' + v.challengerVersion,
    short(v.pairs), short(v.liveOnlyCorrect), short(v.challengerOnlyCorrect), signed(v.logLikelihoodRatio, 2),
    signed(v.lowerThreshold, 2) + ' / ' + signed(v.upperThreshold, 2),
    {text: v.verdict + (v.decidedAtPairs ? ' at ' + v.decidedAtPairs : '') + (v.promoted ? ', promoted' : ''),
      cls: 'verdict-' + v.verdict}]), 'no challenger', 7);
  const newest = verdicts[0];
  const llr = newest ? newest.path.map(p => [p[0], p[1]]) : [];
  const xs = llr.map(p => p[0]);
  const span = xs.length ? [Math.min(0, ...xs), Math.max(...xs, 1)] : [];
  const series = !newest ? [] : [
    {name: 'LLR v' + newest.liveVersion + ' → v' + newest.challengerVersion, color: COLORS[0], points: llr},
    {name: 'better at ' + signed(newest.upperThreshold, 2), color: COLORS[2],
      points: span.map(x => [x, newest.upperThreshold])},
    {name: 'not better at ' + signed(newest.lowerThreshold, 2), color: COLORS[1],
      points: span.map(x => [x, newest.lowerThreshold])},
  ];
  lineChart(document.getElementById('chart-llr'), series, {xLabel: 'pairs'});
  legend('legend-llr', series);

  const split = s.canary || {aliases: [], window: 0, predictions: 0};
  document.getElementById('canary-window').textContent = short(split.window);
  document.getElementById('canary-count').textContent = short(split.predictions);
  fillTable('canary', split.aliases.map(a => {
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = Math.round(a.share * 120) + 'px';
    return [a.alias ? '@' + a.alias : '(unnamed)', a.version ? 'v' + a.version : '–', short(a.predictions),
      (100 * a.share).toFixed(1) + '%', bar];
  }), 'no predictions yet', 5);

  fillTable('drift', (s.drift || []).map(d => {
    const box = document.createElement('span');
    d.features.forEach((f, i) => {
      const span = document.createElement('span');
      span.className = f.psi > 0.25 ? 'psi-high' : f.psi > 0.1 ? 'psi-mid' : '';
      span.textContent = (i ? ', ' : '') + f.feature + ' ' + fmt(f.psi, 3);
      box.appendChild(span);
    });
    return ['v' + d.version, new Date(d.t).toLocaleTimeString(), box];
  }), 'no feature drift', 3);
}

function drawLatest(s) {
  const box = document.getElementById('latest');
  box.innerHTML = '';
  s.latest.forEach(p => {
    const div = document.createElement('div');
    const known = p.label !== null && p.label !== undefined;
    div.className = 'pred' + (known ? (p.label === p.predictedClass ? ' ok' : ' wrong') : '');
    if (p.image) {
      const c = document.createElement('canvas');
      c.width = 28; c.height = 28;
      const ctx = c.getContext('2d'), img = ctx.createImageData(28, 28);
      for (let i = 0; i < 784; i++) {
        const g = 255 - p.image[i];
        img.data[4 * i] = g; img.data[4 * i + 1] = g; img.data[4 * i + 2] = g; img.data[4 * i + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      div.appendChild(c);
    }
    const text = document.createElement('div');
    text.innerHTML = '<b></b><span class="p"></span><br><span class="t"></span><br><span class="m"></span>';
    text.querySelector('b').textContent = p.id;
    text.querySelector('.p').textContent = 'predicted ' + className(s, p.predictedClass) + ' (' + fmt(p.confidence, 2) + ')';
    text.querySelector('.t').textContent = 'true ' + (known ? className(s, p.label) : '?') + (p.heldOut ? ' (hold-out)' : '');
    text.querySelector('.m').textContent = 'v' + p.version + ', ' + fmt(p.latencyMs, 1) + ' ms';
    div.appendChild(text);
    box.appendChild(div);
  });
}

function render(s) {
  lastState = s;
  document.getElementById('model-name').textContent = s.model;
  document.getElementById('live-version').textContent = s.aliases.live ? 'v' + s.aliases.live : '–';
  document.getElementById('total-predictions').textContent = short(s.totals.predictions);
  document.getElementById('served-accuracy').textContent = fmt(s.totals.servedAccuracy);
  document.getElementById('heldout-accuracy').textContent = fmt(s.totals.heldOutAccuracy);
  drawCurves(s);
  drawTimeline(s);
  drawTables(s);
  drawEvaluation(s);
  drawLatest(s);
  document.getElementById('updated').textContent = 'updated ' + new Date(s.now).toLocaleTimeString();
}

async function poll() {
  try {
    const r = await fetch('api/state', {cache: 'no-store'});
    render(await r.json());
  } catch (e) {
    document.getElementById('updated').textContent = 'disconnected: ' + e;
  }
  setTimeout(poll, 1000);
}

async function promote() {
  const status = document.getElementById('promote-status');
  const body = {alias: document.getElementById('promote-alias').value.trim(),
    version: Number(document.getElementById('promote-version').value)};
  // promote is a write: where the server has a token it answers 401 until the page sends it
  const token = document.getElementById('promote-token').value.trim();
  const headers = {'Content-Type': 'application/json'};
  if (token) {
    headers['Authorization'] = 'Bearer ' + token;
  }
  status.textContent = 'moving…';
  try {
    const r = await fetch('api/promote', {method: 'POST', headers: headers, body: JSON.stringify(body)});
    const answer = await r.json();
    if (r.status === 401) {
      document.getElementById('promote-token-label').hidden = false;
    }
    status.textContent = r.ok ? 'moved @' + answer.alias + ' to v' + answer.version + ' (was v' + answer.previousVersion + ')'
        : r.status === 401 ? 'refused: this server needs its token (--registry-token); enter it and promote again'
        : 'refused: ' + answer.error;
    status.dataset.result = r.ok ? 'ok' : 'error';
  } catch (e) {
    status.textContent = 'failed: ' + e;
    status.dataset.result = 'error';
  }
}

document.getElementById('promote-button').addEventListener('click', promote);
poll();
