// The report page's style and script (browser JavaScript, kept as text: it runs in the page, not
// in Node). The script reads the JSON data element, fills the tables, draws every histogram with
// jsroot's painters and the timeline as SVG, then sets document.body.dataset.ready = 'true'
// (and data-drawn = number of drawings) so that a headless browser knows it has finished.

export const PAGE_STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 2em 3em; color: #222; }
header h1 { margin: .6em 0 .1em; }
#meta { color: #555; }
nav { position: sticky; top: 0; background: #fff; padding: .4em 0; border-bottom: 1px solid #ddd; z-index: 10; }
nav a { margin-right: 1.2em; }
table { border-collapse: collapse; margin: .5em 0 1.2em; }
th, td { border: 1px solid #ddd; padding: 2px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f4f4f4; }
.good { color: #1a7f37; } .failed, .bad, .missing { color: #c62828; font-weight: bold; } .stale, .cached { color: #9a6700; }
pre { background: #f7f7f7; padding: .5em; max-height: 20em; overflow: auto; font-size: 12px; }
.plot { display: inline-block; vertical-align: top; margin: 0 1em 1.5em 0; }
.plot .canvas { width: 560px; height: 400px; }
.legend span { display: inline-block; margin-right: 1em; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; border: 1px solid #333; }
.legend i.data { border-radius: 6px; background: #000; }
small { color: #666; }
`;

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('heppy-data').textContent);
  var ROOT_COLORS = { 0: '#ffffff', 1: '#000000', 2: '#ff0000', 3: '#00ff00', 4: '#0000ff', 5: '#ffff00', 6: '#ff00ff', 7: '#00ffff', 9: '#5954d8',
    28: '#a0522d', 30: '#5c8a3a', 38: '#7fa0c8', 40: '#aaa6bf', 46: '#cc3333' };
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) { if (k === 'text') e.textContent = attrs[k]; else if (k === 'cls') e.className = attrs[k]; else e.setAttribute(k, attrs[k]); }
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function table(head, rows) {
    return el('table', null, [el('thead', null, [el('tr', null, head.map(function (h) { return el('th', { text: h }); }))]),
      el('tbody', null, rows.map(function (r) { return el('tr', null, r.map(function (c) { return c instanceof Node ? c : el('td', { text: c === null || c === undefined ? '' : String(c) }); })); }))]);
  }
  function decimals(err) { if (!(err > 0) || !isFinite(err)) return 2; return Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(err)))); }
  function fmtYield(v, e) { var d = decimals(e); return v.toFixed(d) + ' \u00b1 ' + e.toFixed(d); }
  function num(n) { return n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'); }

  // ---- meta
  var b = D.build;
  var meta = ['Outdir ' + D.outdir, 'report made ' + D.generatedAt];
  if (b) meta.push('last build ' + b.startedAt + (b.finishedAt ? ' \u2013 ' + b.finishedAt : ' (not finished)') + ', executor ' + b.executor + ', heppy ' + b.heppyVersion);
  if (D.yields) meta.push(D.yields.lumi.value === null ? 'no luminosity: MC not normalised' : 'luminosity ' + D.yields.lumi.value + ' (' + D.yields.lumi.source + ')');
  document.getElementById('meta').appendChild(el('div', null, meta.map(function (m) { return el('div', { text: m }); })));

  // ---- status
  (function () {
    var body = document.getElementById('status-body');
    var comps = {};
    D.nodes.forEach(function (n) {
      var c = comps[n.component] || (comps[n.component] = { good: 0, failed: 0, bad: 0, stale: 0, missing: 0, merged: '' });
      if (n.kind === 'merge') c.merged = n.status; else c[n.status]++;
    });
    body.appendChild(table(['component', 'good', 'failed', 'bad', 'stale', 'missing', 'merged'], Object.keys(comps).map(function (k) {
      var c = comps[k];
      return [k, c.good, c.failed, c.bad, c.stale, c.missing, el('td', { cls: c.merged || 'missing', text: c.merged || 'not merged' })];
    })));
    var notGood = D.nodes.filter(function (n) { return n.status !== 'good'; });
    if (notGood.length === 0) body.appendChild(el('p', { cls: 'good', text: 'Every chunk and merge is good.' }));
    notGood.forEach(function (n) {
      var d = el('details', { 'data-node': n.name }, [el('summary', null, [el('span', { cls: n.status, text: n.status.toUpperCase() }), ' ' + n.name + (n.failure ? ' \u2014 ' + n.failure + ' failure' : '') + ': ' + (n.problems[0] || '')])]);
      if (n.problems.length > 1) d.appendChild(el('ul', null, n.problems.slice(1).map(function (p) { return el('li', { text: p }); })));
      if (n.log) d.appendChild(el('div', null, [el('small', { text: n.log })]));
      if (n.logTail) d.appendChild(el('pre', { text: n.logTail }));
      body.appendChild(d);
    });
    var all = el('details', null, [el('summary', { text: 'all ' + D.nodes.length + ' chunks and merges' })]);
    all.appendChild(table(['name', 'component', 'status', 'failure', 'events'], D.nodes.map(function (n) {
      return [n.name, n.component, el('td', { cls: n.status, text: n.status }), n.failure || '', num(n.events)];
    })));
    body.appendChild(all);
  })();

  // ---- yields
  (function () {
    var body = document.getElementById('yields-body');
    var y = D.yields;
    if (!y) { body.appendChild(el('p', { text: D.yieldsProblem || 'no yields' })); return; }
    y.components.filter(function (c) { return c.kind === 'mc'; }).forEach(function (c) {
      body.appendChild(el('div', null, [el('small', { text: c.name + ': ' + (c.norm === null ? 'not normalised (' + c.problem + ')' : 'weight ' + c.norm.toPrecision(6) + ' = xSection ' + c.xSection + ' \u00d7 lumi / ' + (c.denominator === 'sumGenWeights' ? 'sum of generator weights ' + c.sumGenWeights : 'nGenEvents ' + c.nGenEvents)) })]));
    });
    y.tables.forEach(function (t) {
      var cols = y.components.filter(function (c) { return t.rows.some(function (r) { return r.cells[c.name]; }); }).map(function (c) { return { name: c.name, key: c.name, get: function (r) { return r.cells[c.name]; } }; });
      if (cols.some(function (c) { return y.components.some(function (k) { return k.name === c.name && k.kind === 'mc'; }); })) cols.push({ name: 'MC sum', key: '@mc', get: function (r) { return r.mcSum; } });
      if (cols.some(function (c) { return y.components.some(function (k) { return k.name === c.name && k.kind === 'data'; }); })) cols.push({ name: 'data', key: '@data', get: function (r) { return r.data; } });
      body.appendChild(el('h3', { text: t.analyzer + '/' + t.counter }));
      var tb = table([t.counter].concat(cols.map(function (c) { return c.name; })), t.rows.map(function (r) {
        return [r.level].concat(cols.map(function (c) {
          var v = c.get(r);
          if (!v) return el('td');
          var td = el('td', { 'data-table': t.analyzer + '/' + t.counter, 'data-level': r.level, 'data-column': c.key, 'data-count': String(v.count) });
          if (v.yield !== null && v.yield !== undefined) { td.setAttribute('data-yield', String(v.yield)); td.setAttribute('data-error', String(v.error)); td.appendChild(document.createTextNode(fmtYield(v.yield, v.error))); }
          else td.appendChild(document.createTextNode('n/a'));
          td.appendChild(el('br')); td.appendChild(el('small', { text: num(v.count) + ' raw' }));
          return td;
        }));
      }));
      tb.className = 'yields';
      body.appendChild(tb);
    });
  })();

  // ---- histograms
  var pending = [];
  (function () {
    var body = document.getElementById('plots-body');
    if (D.plots.length === 0) body.appendChild(el('p', { text: 'no histograms in the merged components' }));
    D.plots.forEach(function (p, i) {
      function box(label, extra) {
        var c = el('div', { cls: 'canvas', id: 'plot-' + i + '-' + label.replace(/[^A-Za-z0-9_-]/g, '_') });
        var wrap = el('div', { cls: 'plot', 'data-plot': p.id }, [el('div', null, [el('b', { text: p.id }), ' ', el('small', { text: label })]), c].concat(extra || []));
        body.appendChild(wrap);
        return c;
      }
      if (p.kind === 'th1' && (p.stack || p.data)) {
        var legend = el('div', { cls: 'legend' }, p.legend.map(function (l) {
          return el('span', null, [el('i', { cls: l.kind === 'data' ? 'data' : '', style: l.kind === 'data' ? '' : 'background:' + (ROOT_COLORS[l.color] || '#888') }), l.name]);
        }));
        var c = box(p.stack && p.data ? 'MC stacked, data as points' : p.stack ? 'MC stacked' : 'data', [legend]);
        pending.push(function () {
          var first = p.stack ? JSROOT.THStackPainter.draw(c, JSROOT.parse(p.stack), 'hist') : Promise.resolve(null);
          return first.then(function () { return p.data ? JSROOT.TH1Painter.draw(c, JSROOT.parse(p.data), p.stack ? 'same,e1,p' : 'e1,p') : null; });
        });
      }
      p.singles.forEach(function (s) {
        var c = box(s.component + (p.kind === 'th2' ? ' (colz)' : ''));
        pending.push(function () {
          var h = JSROOT.parse(s.json);
          return p.kind === 'th2' ? JSROOT.TH2Painter.draw(c, h, 'colz') : JSROOT.TH1Painter.draw(c, h, 'hist');
        });
      });
    });
  })();

  // ---- timeline (SVG): one lane per worker (host:pid), a bar per chunk run, merges in their own lane
  (function () {
    var body = document.getElementById('timeline-body');
    var rows = D.trace.filter(function (r) { return r.status !== 'cached' && r.start && r.end; });
    if (rows.length === 0) { body.appendChild(el('p', { text: 'no run recorded (trace.tsv has no chunk run by the last build that ran something)' })); return; }
    var t0 = Math.min.apply(null, rows.map(function (r) { return Date.parse(r.start); }));
    var t1 = Math.max.apply(null, rows.map(function (r) { return Date.parse(r.end); }));
    var lanes = [];
    rows.forEach(function (r) { var l = r.host + ':' + r.pid; if (lanes.indexOf(l) < 0) lanes.push(l); });
    var W = 900, left = 150, H = 22, span = Math.max(t1 - t0, 1);
    var NS = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('width', String(W + left + 20)); svg.setAttribute('height', String(lanes.length * H + 30));
    svg.setAttribute('id', 'timeline-svg');
    function s(tag, a, text) { var e = document.createElementNS(NS, tag); for (var k in a) e.setAttribute(k, a[k]); if (text) e.textContent = text; svg.appendChild(e); return e; }
    lanes.forEach(function (l, i) { s('text', { x: 4, y: i * H + 15, 'font-size': 11 }, l); });
    rows.forEach(function (r) {
      var i = lanes.indexOf(r.host + ':' + r.pid);
      var x = left + (Date.parse(r.start) - t0) / span * W, w = Math.max(1, (Date.parse(r.end) - Date.parse(r.start)) / span * W);
      var rect = s('rect', { x: x, y: i * H + 3, width: w, height: H - 6, fill: r.status === 'ok' ? (r.kind === 'hadd' ? '#8e7cc3' : '#6fa8dc') : '#e06666', stroke: '#333', 'stroke-width': 0.5 });
      var t = document.createElementNS(NS, 'title');
      t.textContent = r.id + ' (' + r.status + (r.failure ? ', ' + r.failure : '') + ', attempt ' + r.attempts + '): ' + r.start + ' \u2013 ' + r.end + ', ' + r.wallS + ' s';
      rect.appendChild(t);
    });
    s('text', { x: left, y: lanes.length * H + 22, 'font-size': 11 }, '0 s');
    s('text', { x: left + W - 40, y: lanes.length * H + 22, 'font-size': 11 }, (span / 1000).toFixed(1) + ' s');
    body.appendChild(svg);
  })();

  // ---- per-chunk figures
  (function () {
    var body = document.getElementById('figures-body');
    if (D.trace.length === 0) { body.appendChild(el('p', { text: 'no trace.tsv in ' + D.outdir + '/.heppy' })); return; }
    body.appendChild(table(['node', 'status', 'failure', 'attempts', 'executor', 'host', 'start', 'end', 'wall s', 'CPU s', 'CPU %', 'peak RSS MB', 'events', 'events/s', 'bytes read'],
      D.trace.map(function (r) {
        return [r.id, el('td', { cls: r.status, text: r.status }), r.failure, r.attempts, r.executor, r.host + (r.pid !== null ? ':' + r.pid : ''), r.start, r.end,
          r.wallS, r.cpuS, r.cpuPct, r.peakRssMB, num(r.events), num(r.eventsPerS), num(r.bytesRead)];
      })));
  })();

  // ---- draw, one after the other; the page says when it is done
  var drawn = 0;
  pending.reduce(function (p, f) { return p.then(function () { return f(); }).then(function () { drawn++; }); }, Promise.resolve())
    .catch(function (e) { console.error('heppy report: drawing failed: ' + (e && e.stack || e)); })
    .then(function () { document.body.dataset.drawn = String(drawn); document.body.dataset.ready = 'true'; });
})();
`;
