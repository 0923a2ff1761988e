// The weft dashboard: one state object, filled once from the listing routes and then kept live by
// the node's event stream (/events?traffic=true); every change re-renders it with preact + htm.
// Actions go through the admin routes; the browser sends the session cookie set at /login.
import { h, render } from './vendor/preact.module.js';
import htm from './vendor/htm.module.js';

const html = htm.bind(h);
const SPARK_POINTS = 60;
const LOG_LINES = 200;
const LOGGED = new Set(['peer-linked', 'peer-unlinked', 'link-refused', 'dialer-refused',
  'stream-opened', 'stream-closed', 'session-rejected', 'migration-done', 'migration-failed',
  'failover-started', 'failover', 'overflow']);

const state = {
  live: false, unauthorized: false, error: null,
  status: null, peers: [], exposes: [], forwards: [],
  streams: new Map(), sessions: new Map(), log: [],
};

// ---- talking to the node ----

async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin',
  });
  if (response.status === 401) {
    state.unauthorized = true;
    update();
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new Error(json && json.error ? json.error : response.status + ' ' + response.statusText);
  }
  return json;
}

/** Runs an action; true if the node did it, else its error is shown for a few seconds. */
async function act(what, method, path, body) {
  try {
    await api(method, path, body);
  } catch (e) {
    state.error = what + ': ' + e.message;
    update();
    setTimeout(() => { state.error = null; update(); }, 6000);
    return false;
  }
  await load().catch(() => {});
  return true;
}

/** The whole picture from the listing routes: at start, after an overflow, after an action. */
async function load() {
  const [status, peers, streams, sessions, exposes, forwards] = await Promise.all(
    ['/status', '/peers', '/streams', '/sessions', '/exposes', '/forwards'].map(p => api('GET', p)));
  Object.assign(state, { status, peers, exposes, forwards, unauthorized: false });
  const keptStreams = new Map();
  for (const s of streams) {
    keptStreams.set(s.id, { history: [], ...state.streams.get(s.id), ...s });
  }
  state.streams = keptStreams;
  const keptSessions = new Map();
  for (const s of sessions) {
    keptSessions.set(s.id, { ...state.sessions.get(s.id), ...s });
  }
  state.sessions = keptSessions;
  update();
}

let reloading = null;
/** Peers, status and limits are not in the events: reload them (at most every 300 ms) when things change. */
function reloadSoon() {
  if (!reloading) {
    reloading = setTimeout(() => {
      reloading = null;
      Promise.all([api('GET', '/status'), api('GET', '/peers')])
        .then(([status, peers]) => { Object.assign(state, { status, peers }); update(); })
        .catch(() => {});
    }, 300);
  }
}

function follow() {
  const events = new EventSource('/events?traffic=true');
  events.onopen = () => { state.live = true; load().catch(() => {}); };
  events.onerror = () => {
    state.live = false;
    update();
    if (events.readyState === EventSource.CLOSED) {
      // A 401 (logged out, node restarted) ends the stream for good; say so instead of retrying.
      api('GET', '/status').catch(() => {});
    }
  };
  const types = [...LOGGED, 'session-opened', 'session-closed', 'migration-started', 'traffic'];
  for (const type of types) {
    events.addEventListener(type, message => apply(JSON.parse(message.data)));
  }
}

// ---- events into state ----

function apply(e) {
  switch (e.type) {
    case 'traffic': return traffic(e);
    case 'stream-opened':
      state.streams.set(e.stream, { id: e.stream, peer: e.peer, transport: e.transport,
        remote: e.remote, dialled: e.dialled, rttMicros: -1, sessions: 0, history: [] });
      reloadSoon();
      break;
    case 'stream-closed': state.streams.delete(e.stream); reloadSoon(); break;
    case 'session-opened':
      state.sessions.set(e.session, { id: e.session, peer: e.peer, service: e.service,
        stream: e.stream, inbound: e.inbound, state: 'OPEN', bytesIn: 0, bytesOut: 0, migrations: 0,
        opened: e.at });
      reloadSoon();
      break;
    case 'session-closed': state.sessions.delete(e.session); reloadSoon(); break;
    case 'migration-started': session(e.session, s => { s.moving = { from: e.from, to: e.to }; }); break;
    case 'migration-done':
    case 'failover':
      session(e.session, s => {
        s.moving = null;
        s.movedFrom = e.from;
        s.stream = e.to;
        s.migrations = (s.migrations || 0) + 1;
        s.movedAt = Date.now();
      });
      break;
    case 'migration-failed': session(e.session, s => { s.moving = null; }); break;
    case 'failover-started': session(e.session, s => { s.moving = { from: e.from, to: null }; }); break;
    case 'peer-linked': case 'peer-unlinked': reloadSoon(); break;
    case 'overflow': load().catch(() => {}); break;
  }
  if (LOGGED.has(e.type)) {
    state.log.unshift(e);
    state.log.length = Math.min(state.log.length, LOG_LINES);
  }
  update();
}

function session(id, change) {
  const s = state.sessions.get(id);
  if (s) {
    change(s);
  }
}

function traffic(e) {
  for (const rate of e.streams) {
    const s = state.streams.get(rate.stream);
    if (s) {
      s.rttMicros = rate.rttMicros;
      s.sessions = rate.sessions;
      s.history = [...s.history, { in: rate.inPerSecond, out: rate.outPerSecond }].slice(-SPARK_POINTS);
    }
  }
  for (const b of e.sessions) {
    session(b.session, s => { s.bytesIn = b.bytesIn; s.bytesOut = b.bytesOut; });
  }
  update();
}

let pending = false;
function update() {
  if (!pending) {
    pending = true;
    requestAnimationFrame(() => { pending = false; render(html`<${Dashboard} ...${state} />`, document.getElementById('app')); });
  }
}

// ---- views ----

const short = id => (id ? id.slice(0, 8) : '');
const rtt = micros => (micros < 0 ? '–' : micros < 1000 ? micros + ' µs' : (micros / 1000).toFixed(1) + ' ms');

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  for (; n >= 1024 && i < units.length - 1; i++) {
    n /= 1024;
  }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
}

function Dashboard(s) {
  if (s.unauthorized) {
    return html`<h1>weft</h1><p>Not logged in (or the node restarted). Run <code>weft dashboard</code>
      and open the address it prints.</p>`;
  }
  if (!s.status) {
    return html`<p class="muted">Connecting to the node…</p>`;
  }
  const streams = [...s.streams.values()];
  const sessions = [...s.sessions.values()];
  return html`
    <header>
      <h1>weft node <span class="id" title=${s.status.identity}>${short(s.status.identity)}</span></h1>
      <span class="live ${s.live ? '' : 'down'}">${s.live ? 'live' : 'reconnecting'}</span>
      <span class="muted">${s.status.version} · up since ${new Date(s.status.started).toLocaleString()}${' '}
        · ${s.status.listeners.join(', ')}</span>
    </header>
    <h2>Identity and limits</h2>
    <div class="card">
      <div class="id" data-identity>${s.status.identity}</div>
      <div class="limits" style="margin-top:8px">${s.status.limits.map(l => html`<${Limit} ...${l} />`)}</div>
    </div>
    <h2>Peers (${s.peers.length})</h2>
    <${Peers} peers=${s.peers} />
    <h2>Streams (${streams.length})</h2>
    <div class="grid">${streams.length ? streams.map(st => html`<${StreamCard} key=${st.id} stream=${st}
        sessions=${sessions.filter(x => x.stream === st.id)} />`) : html`<p class="muted">No streams.</p>`}</div>
    <h2>Sessions (${sessions.length})</h2>
    <${Sessions} sessions=${sessions} streams=${streams} />
    <div class="two">
      <div><h2>Exposes</h2><${Exposes} exposes=${s.exposes} /></div>
      <div><h2>Forwards</h2><${Forwards} forwards=${s.forwards} peers=${s.peers} /></div>
    </div>
    <h2>Events</h2>
    <${Log} log=${s.log} />
    ${s.error && html`<div class="error" role="alert">${s.error}</div>`}`;
}

function Limit({ name, used, limit }) {
  const share = limit > 0 ? Math.min(1, used / limit) : 0;
  return html`<div class="limit">
    <div><span>${name}</span> <span class="muted">${used} / ${limit}</span></div>
    <div class="bar"><span class=${share > 0.8 ? 'high' : ''} style=${'width:' + (share * 100).toFixed(1) + '%'}></span></div>
  </div>`;
}

function Peers({ peers }) {
  if (!peers.length) {
    return html`<p class="muted">No peers linked.</p>`;
  }
  return html`<table>
    <tr><th>Peer</th><th>Streams</th><th>Sessions</th><th>Linked since</th><th>Endpoints</th></tr>
    ${peers.map(p => html`<tr key=${p.peer}>
      <td class="id" title=${p.peer}>${short(p.peer)}</td><td class="num">${p.streams}</td>
      <td class="num">${p.sessions}</td><td>${new Date(p.linkedSince).toLocaleTimeString()}</td>
      <td class="id">${p.endpoints.join(' ')}</td></tr>`)}
  </table>`;
}

function Sparkline({ history }) {
  const max = Math.max(1024, ...history.map(p => Math.max(p.in, p.out)));
  const line = key => history.map((p, i) =>
    ((SPARK_POINTS - history.length + i) * (100 / (SPARK_POINTS - 1))).toFixed(1) + ','
    + (38 - (p[key] / max) * 36).toFixed(1)).join(' ');
  return html`<svg class="spark" viewBox="0 0 100 40" preserveAspectRatio="none">
    <polyline class="in" points=${line('in')} vector-effect="non-scaling-stroke" />
    <polyline class="out" points=${line('out')} vector-effect="non-scaling-stroke" />
  </svg>`;
}

function StreamCard({ stream, sessions }) {
  const last = stream.history[stream.history.length - 1] || { in: 0, out: 0 };
  return html`<div class="card" data-stream-card=${stream.id}>
    <div class="stream-head">
      <span><span class="transport ${stream.transport}">${stream.transport}</span>
        <span class="id" title=${stream.id}> ${stream.id}</span></span>
      <span class="muted">RTT ${rtt(stream.rttMicros)}</span>
    </div>
    <div class="muted">to <span class="id" title=${stream.peer}>${short(stream.peer)}</span> at ${stream.remote}${' '}
      ${stream.dialled ? '(dialled)' : '(accepted)'}</div>
    <${Sparkline} history=${stream.history} />
    <div class="rate"><span class="in">↓ ${bytes(last.in)}/s</span> · <span class="out">↑ ${bytes(last.out)}/s</span>${' '}
      · ${sessions.length} session(s)</div>
    <div class="chips">${sessions.map(x => html`<span key=${x.id} class="chip ${x.moving ? 'moving' : ''}"
        title=${x.id}>${x.service} ${short(x.id)}</span>`)}</div>
    <div class="actions">
      <button data-drain=${stream.id} title="Move its sessions to another stream to the peer, then close it"
        onClick=${() => act('drain', 'DELETE', '/streams/' + stream.id + '?drain=true')}>Drain</button>
      <button class="danger" data-unlink=${stream.id}
        onClick=${() => act('unlink', 'DELETE', '/streams/' + stream.id)}>Unlink</button>
    </div>
  </div>`;
}

function Sessions({ sessions, streams }) {
  if (!sessions.length) {
    return html`<p class="muted">No sessions.</p>`;
  }
  return html`<table>
    <tr><th>Session</th><th>Service</th><th>Peer</th><th>Stream</th><th>State</th>
      <th>In</th><th>Out</th><th>Moves</th><th>Move to</th></tr>
    ${sessions.map(s => html`<${SessionRow} key=${s.id} session=${s}
        targets=${streams.filter(st => st.peer === s.peer && st.id !== s.stream)} />`)}
  </table>`;
}

function SessionRow({ session: s, targets }) {
  const recent = s.movedAt && Date.now() - s.movedAt < 1500;
  const target = `move-${s.id}`;
  return html`<tr data-session=${s.id} data-stream=${s.stream}
      class=${s.moving ? 'moving' : recent ? 'moved' : ''} key=${s.id + (recent ? s.movedAt : '')}>
    <td class="id" title=${s.id}>${s.id}</td>
    <td>${s.service}${s.inbound ? html` <span class="muted">(in)</span>` : ''}</td>
    <td class="id" title=${s.peer}>${short(s.peer)}</td>
    <td class="stream id">${recent && s.movedFrom ? html`<span class="from">${short(s.movedFrom)}</span>→ ` : ''}
      ${s.moving ? html`${short(s.moving.from)} → ${s.moving.to ? short(s.moving.to) : '…'}` : short(s.stream)}</td>
    <td>${s.moving ? 'MOVING' : s.state}</td>
    <td class="num">${bytes(s.bytesIn)}</td><td class="num">${bytes(s.bytesOut)}</td>
    <td class="num">${s.migrations}</td>
    <td>${targets.length ? html`<select id=${target} data-move-select=${s.id}>
        ${targets.map(t => html`<option value=${t.id}>${t.transport} ${short(t.id)}</option>`)}</select>
      <button data-move=${s.id} onClick=${() => act('migrate', 'POST', '/sessions/' + s.id + '/migrate',
        { stream: document.getElementById(target).value })}>Move</button>` : html`<span class="muted">no other stream</span>`}</td>
  </tr>`;
}

function Exposes({ exposes }) {
  const submit = e => {
    e.preventDefault();
    const f = e.target.elements;
    const allow = f.allow.value.split(/[\s,]+/).filter(Boolean);
    const body = { service: f.service.value, target: f.target.value, allow: allow, public: f.public.checked };
    const form = e.target;
    act('expose', 'POST', '/exposes', body).then(done => done && form.reset());
  };
  return html`<table>
    <tr><th>Service</th><th>Target</th><th>Who</th><th></th></tr>
    ${exposes.map(x => html`<tr key=${x.service}><td>${x.service}</td><td class="id">${x.target}</td>
      <td>${x.public ? 'anyone' : x.allow.map(short).join(' ')}</td>
      <td><button class="danger" data-unexpose=${x.service}
        onClick=${() => act('unexpose', 'DELETE', '/exposes/' + encodeURIComponent(x.service))}>Unexpose</button></td></tr>`)}
  </table>
  <form class="add" onSubmit=${submit}>
    <input name="service" placeholder="service" required size="8" />
    <input name="target" placeholder="127.0.0.1:8080" required size="14" />
    <input name="allow" placeholder="allowed identities" size="16" />
    <label><input type="checkbox" name="public" /> public</label>
    <button>Expose</button>
  </form>`;
}

function Forwards({ forwards, peers }) {
  const submit = e => {
    e.preventDefault();
    const form = e.target;
    const f = form.elements;
    act('forward', 'POST', '/forwards', { bind: f.bind.value, peer: f.peer.value, service: f.service.value })
      .then(done => done && form.reset());
  };
  return html`<table>
    <tr><th>Bind</th><th>Peer</th><th>Service</th><th></th></tr>
    ${forwards.map(x => html`<tr key=${x.bind}><td class="id">${x.bind}</td>
      <td class="id" title=${x.peer}>${short(x.peer)}</td><td>${x.service}</td>
      <td><button class="danger" data-unforward=${x.bind}
        onClick=${() => act('unforward', 'DELETE', '/forwards/' + x.bind.slice(x.bind.lastIndexOf(':') + 1))}>Unforward</button></td></tr>`)}
  </table>
  <form class="add" onSubmit=${submit}>
    <input name="bind" placeholder="127.0.0.1:8080" required size="14" />
    <select name="peer" required>${peers.map(p => html`<option value=${p.peer}>${short(p.peer)}</option>`)}</select>
    <input name="service" placeholder="service" required size="8" />
    <button>Forward</button>
  </form>`;
}

function describe(e) {
  const skip = new Set(['type', 'at']);
  return Object.entries(e).filter(([k]) => !skip.has(k))
    .map(([k, v]) => k + '=' + (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? short(v) : v)).join(' ');
}

function Log({ log }) {
  if (!log.length) {
    return html`<p class="muted">Nothing yet.</p>`;
  }
  return html`<div class="log">${log.map(e => html`<div class=${e.type}>
    <span class="muted">${e.at.slice(11, 23)}</span> <b>${e.type}</b> ${describe(e)}</div>`)}</div>`;
}

update();
follow();
