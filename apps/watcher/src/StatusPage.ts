/**
 * The status page served at `/`: one self-contained HTML document (no framework, no external
 * resource) that lists the watched tokens and keeps itself current from `/events`. The first
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

const source = new EventSource("/events");
source.addEventListener("open", () => { connection.dataset.connected = "true"; connection.textContent = "live"; });
source.addEventListener("error", () => { connection.dataset.connected = "false"; connection.textContent = "reconnecting"; });
source.addEventListener("snapshot", (message) => {
  const snapshot = JSON.parse(message.data);
  for (const tr of rows.values()) tr.remove();
  rows.clear();
  for (const view of snapshot.tokens) render(view, true);
  updateSummary();
});
source.addEventListener("status", (message) => {
  render(JSON.parse(message.data), false);
  updateSummary();
});
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
<p id="summary">loading…</p>
<table>
<thead><tr><th>token</th><th>fingerprint</th><th>state</th><th>expires in</th><th>last event</th><th>reason</th><th>gen</th></tr></thead>
<tbody id="tokens"></tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
