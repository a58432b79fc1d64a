/**
 * The status page served at `/`: one self-contained HTML document (no framework, no external
 * resource) that lists the watched tokens and keeps itself current from `/events`, read with
 * `fetch` and a streaming reader (not `EventSource`, which cannot send the access token header;
 * the token never goes into a URL). When the watcher answers 401, the page shows a form; the
 * token typed there is kept in `sessionStorage` (this tab only) and sent as
 * `Authorization: Bearer …`. The input has no `name` and the page's CSP has `form-action
 * 'none'`, so the token can never be submitted as a query string. The first
 * SSE message is the whole snapshot; each later one replaces one row (a `Stopped` token —
 * removed from the store — leaves the table). Time to expiry counts down in the browser every
 * second. Values are inserted with `textContent` only, so an odd token id cannot inject markup.
 * The page shows what `/tokens` shows: ids, fingerprints, states, no secrets.
 *
 * Hooks for tests and scripts: each row is `<tr data-id="…" data-state="…">`; the connection
 * indicator is `#connection` with `data-connected="true|false"`.
 *
 * @since 0.1.0
 */

const STYLE = `
:root { color-scheme: light dark; font: 14px/1.4 system-ui, sans-serif; }
body { margin: 1.5rem; }
h1 { font-size: 1.2rem; margin: 0 0 .25rem; }
#summary { margin: .25rem 0 1rem; color: GrayText; }
#connection[data-connected="true"]::before { content: "● "; color: #1a7f37; }
#connection[data-connected="false"]::before { content: "● "; color: #cf222e; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #8884; white-space: nowrap; }
td.reason { white-space: normal; }
code { font-size: .9em; }
.state { font-weight: 600; border-radius: .6rem; padding: .05rem .5rem; }
.Active, .Refreshed { background: #1a7f3722; color: #1a7f37; }
.Expiring, .Refreshing, .Pending { background: #9a670022; color: #9a6700; }
.Unreachable, .RateLimited, .PersistFailed, .Expired { background: #bc4c0022; color: #bc4c00; }
.Invalid, .ReauthorizeRequired, .Revoked, .Stopped, .Quarantined { background: #cf222e22; color: #cf222e; }
`;

const SCRIPT = `
"use strict";
const rows = new Map();
const body = document.getElementById("tokens");
const summary = document.getElementById("summary");
const connection = document.getElementById("connection");

const cell = (tr, name) => tr.querySelector("td." + name);
const ttlText = (expiresAt) => {
  if (expiresAt === null) return "never";
  const s = Math.round((Date.parse(expiresAt) - Date.now()) / 1000);
  const abs = Math.abs(s);
  const h = Math.floor(abs / 3600), m = Math.floor((abs % 3600) / 60), sec = abs % 60;
  const text = (h > 0 ? h + "h " : "") + (h > 0 || m > 0 ? m + "m " : "") + sec + "s";
  return s < 0 ? "expired " + text + " ago" : text;
};
const ago = (iso) => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? s + "s ago" : Math.floor(s / 60) + "m ago";
};

function render(view, inOrder) {
  let tr = rows.get(view.id);
  if (view.state === "Stopped") {
    if (tr) { tr.remove(); rows.delete(view.id); }
    return;
  }
  if (!tr) {
    tr = document.createElement("tr");
    for (const name of ["id", "fingerprint", "state", "ttl", "event", "reason", "generation"]) {
      const td = document.createElement("td");
      td.className = name;
      if (name === "state") td.appendChild(document.createElement("span"));
      if (name === "fingerprint") td.appendChild(document.createElement("code"));
      tr.appendChild(td);
    }
    // A snapshot arrives sorted by id: append. A later new token is put in its place.
    let next;
    if (!inOrder) for (const id of rows.keys()) if (id > view.id && (next === undefined || id < next)) next = id;
    rows.set(view.id, tr);
    body.insertBefore(tr, next === undefined ? null : rows.get(next));
  }
  tr.dataset.id = view.id;
  tr.dataset.state = view.state;
  tr.dataset.expiresAt = view.expiresAt === null ? "" : view.expiresAt;
  tr.dataset.updatedAt = view.updatedAt;
  cell(tr, "id").textContent = view.id;
  cell(tr, "fingerprint").firstChild.textContent = view.fingerprint;
  const badge = cell(tr, "state").firstChild;
  badge.textContent = view.state;
  badge.className = "state " + view.state;
  cell(tr, "reason").textContent = view.reason === null ? "" : view.reason;
  cell(tr, "generation").textContent = String(view.generation);
  tick(tr);
}

function tick(tr) {
  const expiresAt = tr.dataset.expiresAt === "" ? null : tr.dataset.expiresAt;
  cell(tr, "ttl").textContent = ttlText(expiresAt);
  cell(tr, "event").textContent = ago(tr.dataset.updatedAt);
}

function updateSummary() {
  const counts = {};
  for (const tr of rows.values()) counts[tr.dataset.state] = (counts[tr.dataset.state] || 0) + 1;
  const parts = Object.keys(counts).sort().map((s) => counts[s] + " " + s);
  summary.textContent = rows.size + " tokens" + (parts.length ? ": " + parts.join(", ") : "");
}

// The stream is read with fetch, not EventSource, so it can carry the access token in a header
// (EventSource cannot set one, and the token never goes into a URL). The token, when the
// watcher asks for one (401), comes from the form and lives in sessionStorage (this tab only).
const TOKEN_KEY = "miro-token-watcher.access";
const form = document.getElementById("access");
const tokenInput = document.getElementById("access-token");
const setConnected = (on, text) => { connection.dataset.connected = on ? "true" : "false"; connection.textContent = text; };
const handlers = {
  snapshot(data) {
    const snapshot = JSON.parse(data);
    for (const tr of rows.values()) tr.remove();
    rows.clear();
    for (const view of snapshot.tokens) render(view, true);
    updateSummary();
  },
  status(data) {
    render(JSON.parse(data), false);
    updateSummary();
  },
};
function dispatch(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length > 0 && handlers[event]) handlers[event](data.join("\\n"));
}
async function connect() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  try {
    const response = await fetch("/events", {
      headers: token ? { authorization: "Bearer " + token } : {},
      cache: "no-store",
      credentials: "omit",
    });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      setConnected(false, "access token needed");
      form.hidden = false;
      tokenInput.focus();
      return;
    }
    if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
    form.hidden = true;
    setConnected(true, "live");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = (buffer + value).replace(/\\r\\n?/g, "\\n");
      let end;
      while ((end = buffer.indexOf("\\n\\n")) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (error) {
    // fall through to reconnect
  }
  setConnected(false, "reconnecting");
  setTimeout(connect, 2000);
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = tokenInput.value.trim();
  tokenInput.value = "";
  if (value === "") return;
  sessionStorage.setItem(TOKEN_KEY, value);
  form.hidden = true;
  connect();
});
connect();
setInterval(() => { for (const tr of rows.values()) tick(tr); }, 1000);
`;

/**
 * The page, as served.
 *
 * @category constants
 * @since 0.1.0
 */
export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>miro-token-watcher</title>
<style>${STYLE}</style>
</head>
<body>
<h1>miro-token-watcher <small id="connection" data-connected="false">connecting</small></h1>
<form id="access" hidden autocomplete="off">
<label>This watcher needs its access token (<code>--http-token-file</code>):
<input id="access-token" type="password" autocomplete="off" spellcheck="false"></label>
<button type="submit">Connect</button>
</form>
<p id="summary">loading…</p>
<table>
<thead><tr><th>token</th><th>fingerprint</th><th>state</th><th>expires in</th><th>last event</th><th>reason</th><th>gen</th></tr></thead>
<tbody id="tokens"></tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
