// What every browser journey file shares: `palier demo` started on a fresh data dir and a
// free port, stopped afterwards, and the e-mails it writes under <data dir>/mail/, read back.
// Env: PALIER_BIN (default target/debug/palier under the repo root), E2E_KEEP_DATA=1.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
// PALIER_BIN, if set, is taken relative to the current directory; the default, to the repo root.
export const PALIER_BIN = process.env.PALIER_BIN
  ? path.resolve(process.env.PALIER_BIN)
  : path.join(repoRoot, 'target', 'debug', 'palier');

// ---------------------------------------------------------------------------
// The server under test.

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const server = { child: null, out: '', err: '', exited: null, dataDir: null, base: null, codes: {} };

export function killServer() {
  const child = server.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
  }
}
// Last resort if the runner dies without running `after`.
process.on('exit', killServer);

export async function startServer() {
  assert.ok(existsSync(PALIER_BIN), `PALIER_BIN not found: ${PALIER_BIN} (build it, or set PALIER_BIN)`);
  server.dataDir = await mkdtemp(path.join(os.tmpdir(), 'palier-e2e-'));
  const port = await freePort();
  server.base = `http://127.0.0.1:${port}`;
  const child = spawn(
    PALIER_BIN,
    ['demo', '--data-dir', server.dataDir, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  server.child = child;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { server.out += d; });
  child.stderr.on('data', (d) => { server.err += d; });
  server.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  const deadline = Date.now() + 60_000;
  let last = 'no answer yet';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`palier exited early (${child.exitCode ?? child.signalCode}).\nstdout:\n${server.out}\nstderr:\n${server.err.slice(-4000)}`);
    }
    try {
      const res = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e.cause?.code || e.message);
    }
    if (Date.now() > deadline) {
      throw new Error(`/healthz not 200 within 60 s (last: ${last}).\nstderr:\n${server.err.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // "  Résidence des Tilleuls: building code AM4XX4F3" (the seeding is done before serving,
  // but the banner may still be in the pipe: wait for it briefly).
  const bannerDeadline = Date.now() + 5000;
  while (!/building code/.test(server.out) && Date.now() < bannerDeadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const m of server.out.matchAll(/^\s*(.+?): building code (\S+)\s*$/gm)) server.codes[m[1]] = m[2];
}

export async function stopServer() {
  const child = server.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await server.exited;
    clearTimeout(timer);
  }
  if (server.dataDir && !process.env.E2E_KEEP_DATA) {
    await rm(server.dataDir, { recursive: true, force: true });
  } else if (server.dataDir) {
    console.log(`data dir kept: ${server.dataDir}`);
  }
}

// ---------------------------------------------------------------------------
// E-mails: without SMTP, the demo writes each message as an .eml file under <data dir>/mail/
// (sent by the job worker, so a little after the action that caused it).

/** Decodes quoted-printable: soft line breaks ("=\r\n") go, "=XX" become bytes. */
export function decodeQuotedPrintable(text) {
  const s = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(s.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** Decodes RFC 2047 encoded words (=?utf-8?q?…?= / =?utf-8?b?…?=) in a header value. */
export function decodeHeaderWords(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?') // whitespace between adjacent encoded words is dropped
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset, enc, data) =>
      (enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : decodeQuotedPrintable(data.replace(/_/g, ' '))).toString('utf8'));
}

/**
 * Parses a raw message (a latin1 string: one char per byte) into
 * { headers: {lower-case name: value}, type, params, parts?, body?: Buffer }.
 */
export function parseMime(raw) {
  const sep = raw.search(/\r?\n\r?\n/);
  const head = sep < 0 ? raw : raw.slice(0, sep);
  const rest = sep < 0 ? '' : raw.slice(sep).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = line.match(/^([^:\s]+):\s*(.*)$/);
    if (m && !(m[1].toLowerCase() in headers)) headers[m[1].toLowerCase()] = m[2].trim();
  }
  const [type, ...paramList] = (headers['content-type'] || 'text/plain').split(';');
  const params = {};
  for (const p of paramList) {
    const m = p.trim().match(/^([^=]+)=\s*"?([^"]*)"?$/);
    if (m) params[m[1].trim().toLowerCase()] = m[2];
  }
  const node = { headers, type: type.trim().toLowerCase(), params };
  if (node.type.startsWith('multipart/') && params.boundary) {
    const delimiter = `--${params.boundary}`;
    const chunks = rest.split(new RegExp(`(?:^|\\r?\\n)${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // chunks[0] is the preamble; the chunk after the closing delimiter starts with "--".
    node.parts = chunks.slice(1).filter((c) => !c.startsWith('--')).map((c) => parseMime(c.replace(/^[ \t]*\r?\n/, '')));
    return node;
  }
  const cte = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  node.body = cte === 'quoted-printable' ? decodeQuotedPrintable(rest)
    : cte === 'base64' ? Buffer.from(rest.replace(/\s+/g, ''), 'base64')
      : Buffer.from(rest, 'latin1');
  return node;
}

export function mimeLeaves(node) {
  return node.parts ? node.parts.flatMap(mimeLeaves) : [node];
}

/** Reads every .eml the demo wrote so far. */
export async function readMails() {
  const dir = path.join(server.dataDir, 'mail');
  const names = existsSync(dir) ? (await readdir(dir)).filter((n) => n.endsWith('.eml')).sort() : [];
  const mails = [];
  for (const name of names) {
    const raw = (await readFile(path.join(dir, name))).toString('latin1');
    const root = parseMime(raw);
    const leaves = mimeLeaves(root);
    const textOf = (type) => leaves
      .filter((l) => l.type === type && !/attachment/i.test(l.headers['content-disposition'] || ''))
      .map((l) => l.body.toString('utf8')).join('\n');
    mails.push({
      file: path.join(dir, name),
      raw,
      to: root.headers.to || '',
      subject: decodeHeaderWords(root.headers.subject || ''),
      leaves,
      text: textOf('text/plain'),
      html: textOf('text/html'),
    });
  }
  return mails;
}

/** Waits (up to 20 s) for an e-mail that `match` accepts. */
export async function waitForMail(match, what) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const mails = await readMails();
    const found = mails.find(match);
    if (found) return found;
    if (Date.now() > deadline) {
      const seen = mails.map((m) => `  ${m.to} | ${m.subject}`).join('\n') || '  (none)';
      throw new Error(`no e-mail ${what} within 20 s; e-mails written:\n${seen}\nstderr:\n${server.err.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}


// ---------------------------------------------------------------------------
// Accessibility: axe-core (npm) with the WCAG 2.0/2.1 A and AA rules, run on every page a
// journey's browser loads. Violations join `page.problems`, which each journey asserts empty.

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Checks every page `page` loads from now on; call `axeSettled(page)` before asserting. */
export function watchAccessibility(page) {
  page.problems ??= [];
  page.axeRuns = [];
  page.axeChecked = [];
  page.on('load', () => {
    page.axeRuns.push(runAxe(page));
  });
  return page;
}

/** The WCAG A/AA violations of the page as it is now, one line each. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: the app's Content-Security-Policy stays on.
  await page.evaluate(`if (!window.axe) { ${AXE_SOURCE}\n }`);
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  }, AXE_TAGS);
}

async function runAxe(page) {
  const url = page.url();
  try {
    const violations = await axeViolations(page);
    page.axeChecked.push(url);
    for (const v of violations) page.problems.push(`axe on ${new URL(url).pathname}: ${v}`);
  } catch (e) {
    // The journey went on to another page before the check ended: that page is checked instead.
    if (!/context was destroyed|Target .*closed|navigat/i.test(String(e.message))) {
      page.problems.push(`axe could not run on ${url}: ${e.message}`);
    } else {
      page.axeLeft = (page.axeLeft ?? 0) + 1;
    }
  }
}

/** Waits for the checks of the pages loaded so far. */
export async function axeSettled(page) {
  while (page.axeRuns?.length) {
    const runs = page.axeRuns.splice(0);
    await Promise.all(runs);
  }
  return page.axeChecked ?? [];
}

/**
 * After the login form: a resident of one building lands on it, a manager on the portfolio
 * dashboard (issue 12), everyone else on "Mes immeubles" (issue 15 item 11). Returns the
 * path landed on; the journeys go on from the list.
 */
export async function afterLogin(page) {
  await page.waitForURL((u) => /^\/(dashboard|buildings(\/[^/]+)?)$/.test(u.pathname));
  const landed = new URL(page.url()).pathname;
  if (landed !== '/buildings') {
    await axeSettled(page);
    await page.goto('/buildings');
  }
  return landed;
}
