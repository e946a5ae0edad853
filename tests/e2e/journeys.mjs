// End-to-end journeys of Palier in a real headless Chromium (Debian's /usr/bin/chromium),
// driven by playwright-core. Run from tests/e2e:
//
//   npm ci && PALIER_BIN=../../target/debug/palier node --test journeys.mjs
//
// The script starts `palier demo` itself on a fresh data dir and a free port, waits for
// /healthz, runs the journeys in order (a–f build on the report created in a; g–m on the lift
// report and the work order made in g and h), then stops the server. Screenshots go to
// $SHOTS_DIR (default /tmp/palier-e2e/shots).
// Journeys g–m follow a work order: the demo writes e-mails as .eml files under
// <data dir>/mail/, which the tests read to find the provider's private link.
// Env: PALIER_BIN (default target/debug/palier under the repo root), CHROMIUM_PATH
// (default /usr/bin/chromium), SHOTS_DIR, E2E_KEEP_DATA=1 to keep the data dir.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { server, startServer, stopServer, readMails, waitForMail, escapeRegExp, watchAccessibility, axeSettled, afterLogin, axeViolations } from './_support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS_DIR = process.env.SHOTS_DIR || '/tmp/palier-e2e/shots';
const PASSWORD = 'palier-demo';
const TILLEULS = 'Résidence des Tilleuls';
const VIGNES = 'Le Clos des Vignes';
const TITLE = 'Fuite au plafond';
const LIFT_TITLE = 'Ascenseur bloqué au 2e';
const DUPONT = 'Ascenseurs Dupont';
const DUPONT_OPTION = '★ Ascenseurs Dupont (ascenseur)';
const DUPONT_EMAIL = 'contact@ascenseurs-dupont.demo.palier.test';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 768 };

// ---------------------------------------------------------------------------
// A real image, made here: a 320×240 RGB PNG (gradient), encoded with zlib.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function makePng(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const i = row + 1 + x * 3;
      raw[i] = Math.round((x / width) * 255);
      raw[i + 1] = Math.round((y / height) * 255);
      raw[i + 2] = (x >> 4) % 2 === (y >> 4) % 2 ? 200 : 60; // checkerboard in blue
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------
// E-mails: without SMTP, the demo writes each message as an .eml file under <data dir>/mail/
// (sent by the job worker, so a little after the action that caused it).

/** Decodes quoted-printable: soft line breaks ("=\r\n") go, "=XX" become bytes. */
/** Decodes RFC 2047 encoded words (=?utf-8?q?…?= / =?utf-8?b?…?=) in a header value. */
/**
 * Parses a raw message (a latin1 string: one char per byte) into
 * { headers: {lower-case name: value}, type, params, parts?, body?: Buffer }.
 */
/** Reads every .eml the demo wrote so far. */
/** Waits (up to 20 s) for an e-mail that `match` accepts. */
// ---------------------------------------------------------------------------
// Browser helpers.

let browser;
const contexts = [];

/** A fresh browser context (own cookies) that records broken sub-resources and JS errors. */
async function newSession(viewport = DESKTOP) {
  const context = await browser.newContext({
    viewport,
    baseURL: server.base,
    locale: 'fr-FR',
    ...(viewport.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  contexts.push(context);
  const page = await context.newPage();
  page.problems = [];
  watchAccessibility(page);
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  // Failed loads are caught from the responses below; the console only adds script errors.
  // /favicon.ico is left out: the app ships none (and base.html links none).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      page.problems.push(`console: ${m.text()} (${m.location().url})`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document' && !r.url().endsWith('/favicon.ico')) {
      page.problems.push(`HTTP ${r.status()} for ${r.request().resourceType()} ${r.url()}`);
    }
  });
  page.on('requestfailed', (r) => page.problems.push(`failed ${r.resourceType()} ${r.url()}: ${r.failure()?.errorText}`));
  // A link that downloads a file (Content-Disposition: attachment) ends as an aborted navigation.
  page.downloads = new Set();
  page.on('download', (d) => page.downloads.add(d.url()));
  return page;
}

async function assertNoProblems(page) {
  const checked = await axeSettled(page);
  assert.ok(checked.length > 0, 'axe-core checked the pages visited');
  console.log(`# axe-core (WCAG 2.1 AA): ${checked.length} page loads checked, ${page.axeLeft ?? 0} left before the check ended`);
  const problems = page.problems.filter((p) => ![...page.downloads].some((u) => p === `failed document ${u}: net::ERR_ABORTED`));
  assert.deepEqual(problems, [], 'broken sub-resources or script errors on the pages visited');
}

/** Logs in through the form; the app then lands on "Mes immeubles". */
async function login(page, email) {
  await page.goto('/login');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('main').getByRole('button', { name: 'Se connecter' }).click();
  page.landed = await afterLogin(page);
  await assertHeading(page, 'Mes immeubles');
  // Logged in: the header offers "Se déconnecter".
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

async function assertHeading(page, name) {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor({ timeout: 5000 });
}

async function openBuilding(page, name) {
  await page.getByRole('link', { name, exact: true }).click();
  await assertHeading(page, name);
}

/** Opens the report from the building board, by clicking its card. */
async function openReportFromBoard(page, buildingName, title = TITLE) {
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mes immeubles' }).click();
  await openBuilding(page, buildingName);
  await page.getByRole('link', { name: title, exact: true }).click();
  await page.waitForURL(/\/reports\/[^/?#]+/);
  await assertHeading(page, title);
}

function statusBadge(page) {
  return page.locator('article.report header .badge[class*="status-"]');
}

/**
 * A journey: on failure, every page it opened is saved as failed-<letter>-<n>.png in SHOTS_DIR
 * (with its URL in the test output) before the error is passed on.
 */
function journey(name, fn) {
  test(name, async (t) => {
    const first = contexts.length;
    try {
      await fn(t);
    } catch (err) {
      const tag = name.split('.')[0];
      let n = 0;
      for (const c of contexts.slice(first)) {
        for (const p of c.pages()) {
          const file = path.join(SHOTS_DIR, `failed-${tag}-${++n}.png`);
          await p.screenshot({ path: file, fullPage: true }).catch(() => {});
          t.diagnostic(`page at failure: ${p.url()} -> ${file}`);
        }
      }
      throw err;
    }
  });
}

async function shot(page, name, fullPage = true) {
  const file = path.join(SHOTS_DIR, name);
  await page.screenshot({ path: file, fullPage });
  return file;
}

// ---------------------------------------------------------------------------
// The journeys. They run in order and share the report made in the first one.

let reportUrl = null;
function needReport() {
  assert.ok(reportUrl, 'needs the report created by Nadia’s journey, which failed');
  return reportUrl;
}

// The work-order journeys (g–m) share the lift report, the work order's reference and its link.
const workOrder = { reportUrl: null, reference: null, link: null };
function needLiftReport() {
  assert.ok(workOrder.reportUrl, 'needs the lift report created in journey g, which failed');
  return workOrder.reportUrl;
}
function needWorkOrder() {
  assert.ok(workOrder.reference, 'needs the work order sent in journey h, which failed');
  return workOrder.reference;
}

describe('Palier end-to-end journeys', { concurrency: false }, () => {
  before(async () => {
    await mkdir(SHOTS_DIR, { recursive: true });
    await startServer();
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    if (browser) await browser.close().catch(() => {});
    await stopServer();
  });

  test('demo prints its building codes', () => {
    assert.match(server.out, /Palier demo at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(server.codes[TILLEULS] ?? '', /^[A-Z0-9]{6,}$/, `stdout was:\n${server.out}`);
    assert.match(server.codes[VIGNES] ?? '', /^[A-Z0-9]{6,}$/);
    assert.notEqual(server.codes[TILLEULS], server.codes[VIGNES]);
  });

  test('axe-core finds a violation when there is one (the check can fail)', async () => {
    const page = await newSession(PHONE);
    await page.goto('/login');
    assert.deepEqual(await axeSettled(page), [`${server.base}/login`], 'checked on load');
    assert.deepEqual(page.problems, [], 'the login page is clean');
    await page.evaluate(() => {
      const img = document.createElement('img');
      img.src = '/static/style.css';
      document.querySelector('main').append(img);
    });
    const found = await axeViolations(page);
    assert.ok(found.some((v) => v.startsWith('image-alt')), `an image without alt is reported: ${found}`);
  });

  journey('a. Nadia reports a leak with a photo, on a phone', async () => {
    const page = await newSession(PHONE);
    await login(page, 'locataire@demo.palier.test');
    assert.match(page.landed, /^\/buildings\/[^/]+$/, 'Nadia lives in one building: she lands on it');
    await openBuilding(page, TILLEULS);
    await page.getByRole('link', { name: 'Signaler un problème' }).click();
    await assertHeading(page, 'Signaler un problème');

    // Step 1: category, where, title.
    await page.getByRole('radio', { name: 'Plomberie / fuite' }).check();
    await page.getByLabel('Escalier ou bâtiment').fill('Escalier B');
    await page.getByLabel('Étage').fill('3');
    await page.getByLabel('Où exactement ?').fill('Palier, au-dessus de la porte du 32');
    await page.getByLabel('En quelques mots').fill(TITLE);
    // Compact categories (issue 15 item 7): only the chosen one's hint is shown, and
    // "Continuer" is within 1.5 screens of a 390×844 phone (it was 2.5 screens down).
    const hints = page.locator('fieldset.categories .cat-hint');
    assert.ok(await hints.count() >= 10, 'every category has its hint in the page');
    assert.equal(await page.locator('fieldset.categories .cat-hint:visible').count(), 1, 'one hint shown: the chosen one');
    await page.locator('fieldset.categories .cat-hint:visible').filter({ hasText: /fuite|eau/i }).waitFor();
    const continueBottom = await page.getByRole('button', { name: 'Continuer' })
      .evaluate((b) => b.getBoundingClientRect().bottom + window.scrollY);
    const formHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    console.log(`# new-report form at 390x844: "Continuer" ends at ${Math.round(continueBottom)} px, page ${formHeight} px`);
    assert.ok(continueBottom <= 1.5 * PHONE.height, `"Continuer" ends at ${continueBottom} px, more than 1.5 screens`);
    await shot(page, 'report-new-step1-phone.png');
    await page.getByRole('button', { name: 'Continuer' }).click();

    // Step 2: what was typed is kept, the description and the photos are asked.
    await page.getByLabel('Description').waitFor();
    assert.equal(await page.getByLabel('En quelques mots').inputValue(), TITLE);
    // At step 2 the category is a drop-down, set to the one chosen at step 1.
    const category = page.getByLabel('Catégorie', { exact: true });
    assert.equal(await category.evaluate((s) => s.selectedOptions[0]?.textContent.trim()), 'Plomberie / fuite', 'category kept at step 2');
    await page.getByLabel('Description').fill('Une tache d’eau s’agrandit au plafond du palier depuis hier soir ; ça goutte quand il pleut.');
    await page.locator('#photos').setInputFiles({ name: 'plafond.png', mimeType: 'image/png', buffer: makePng(320, 240) });
    await shot(page, 'report-new-step2-phone.png');
    await page.getByRole('button', { name: 'Envoyer le signalement' }).click();

    // The report page.
    await page.waitForURL(/\/reports\/[^/?#]+/);
    await assertHeading(page, TITLE);
    reportUrl = new URL(page.url()).pathname;
    await page.getByRole('status').filter({ hasText: 'Signalement envoyé.' }).waitFor();
    assert.equal((await statusBadge(page).innerText()).trim(), 'À traiter');
    await page.getByText('Escalier B').first().waitFor();
    await page.getByText('Une tache d’eau s’agrandit').waitFor();

    const thumb = page.getByRole('img', { name: 'Photo jointe au signalement' });
    assert.equal(await thumb.count(), 1, 'one photo thumbnail');
    await thumb.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (img) => img.complete,
      await thumb.elementHandle(),
      { timeout: 10_000 },
    );
    const natural = await thumb.evaluate((img) => ({ w: img.naturalWidth, h: img.naturalHeight }));
    assert.ok(natural.w > 0 && natural.h > 0, `thumbnail did not load (naturalWidth ${natural.w})`);
    // The thumbnail keeps the 4:3 shape of the photo.
    assert.ok(Math.abs(natural.w / natural.h - 4 / 3) < 0.05, `thumbnail ratio ${natural.w}×${natural.h}`);
    // The full photo behind the thumbnail is served as an image too.
    const href = await thumb.locator('xpath=..').getAttribute('href');
    const full = await page.request.get(href);
    assert.equal(full.status(), 200);
    assert.match(full.headers()['content-type'] ?? '', /^image\//);

    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'report-phone.png');
    await assertNoProblems(page);
  });

  journey('b. a neighbour is offered the similar report and follows it', async () => {
    const url = needReport();
    const page = await newSession(PHONE);
    await login(page, 'occupant@demo.palier.test');
    await openBuilding(page, TILLEULS);
    await page.getByRole('link', { name: 'Signaler un problème' }).click();
    await page.getByRole('radio', { name: 'Plomberie / fuite' }).check();
    await page.getByLabel('En quelques mots').fill('fuite plafond');
    await page.getByRole('button', { name: 'Continuer' }).click();

    const similar = page.getByRole('region', { name: 'Déjà signalé ?' });
    await similar.waitFor();
    const item = similar.getByRole('listitem').filter({ has: page.getByRole('link', { name: TITLE, exact: true }) });
    assert.equal(await item.count(), 1, 'the "Déjà signalé ?" list holds Nadia’s report');
    assert.equal(await item.getByRole('link', { name: TITLE }).getAttribute('href'), url);
    await shot(page, 'similar-phone.png');
    await item.getByRole('button', { name: 'Moi aussi' }).click();

    await page.waitForURL((u) => u.pathname === url);
    await page.getByRole('status').filter({ hasText: 'Vous suivez ce signalement.' }).waitFor();
    await page.getByText('2 suivent').waitFor();
    await assertNoProblems(page);
  });

  journey('c. the referent answers with a reply template', async () => {
    needReport();
    const page = await newSession(DESKTOP);
    await login(page, 'referent@demo.palier.test');
    await openReportFromBoard(page, TILLEULS);
    assert.equal((await statusBadge(page).innerText()).trim(), 'À traiter');

    await page.getByText('Utiliser un message type').click();
    await page.getByRole('link', { name: 'Bien pris en compte' }).click();
    await page.waitForURL(/template=/);
    const body = page.getByLabel('Votre réponse');
    const text = await body.inputValue();
    assert.match(text, /bien pris en compte/);
    await page.getByRole('button', { name: 'Envoyer à tout l’immeuble', exact: true }).click();

    // The reply posts, then lands back on the report at its exchanges (no notice shown).
    await page.waitForURL((u) => !u.search.includes('template=') && u.hash === '#comments');
    assert.equal((await statusBadge(page).innerText()).trim(), 'En cours');
    const comments = page.getByRole('region', { name: 'Échanges' });
    await comments.getByText(text.trim(), { exact: true }).waitFor();
    await comments.getByText('Pas encore de réponse.').waitFor({ state: 'detached' });
    assert.equal(await comments.locator('.comment').count(), 1);
    await shot(page, 'report-referent-desktop.png');
    await assertNoProblems(page);
  });

  journey('c2. choosing one person selects that audience and the send button names them', async () => {
    needReport();
    const page = await newSession(PHONE);
    await login(page, 'gestionnaire@demo.palier.test');
    await openReportFromBoard(page, TILLEULS);
    const form = page.locator('form#reply');
    const send = form.locator('button[type="submit"]');
    assert.equal((await send.innerText()).trim(), 'Envoyer à tout l’immeuble');
    await form.getByLabel('Personne', { exact: true }).selectOption({ label: 'Paul Lefèvre' });
    assert.ok(await form.getByRole('radio', { name: 'Une seule personne' }).isChecked(), 'choosing Paul selects "one person"');
    assert.equal((await send.innerText()).trim(), 'Envoyer à Paul Lefèvre');
    await form.getByRole('radio', { name: 'Tout l’immeuble' }).check();
    assert.equal(await form.getByLabel('Personne', { exact: true }).inputValue(), '', 'the person is cleared');
    assert.equal((await send.innerText()).trim(), 'Envoyer à tout l’immeuble');
    await form.getByRole('radio', { name: 'Conseil et gestionnaire' }).check();
    assert.equal((await send.innerText()).trim(), 'Envoyer au conseil et au gestionnaire');
    await assertNoProblems(page);
  });

  journey('d. the manager closes the report', async () => {
    needReport();
    const page = await newSession(DESKTOP);
    await login(page, 'gestionnaire@demo.palier.test');
    await openReportFromBoard(page, TILLEULS);
    assert.equal((await statusBadge(page).innerText()).trim(), 'En cours');
    await page.getByRole('button', { name: 'Clôturer' }).click();
    await page.getByRole('status').filter({ hasText: 'Signalement clôturé.' }).waitFor();
    assert.equal((await statusBadge(page).innerText()).trim(), 'Clôturé');
    assert.equal(await page.getByRole('button', { name: 'Clôturer' }).count(), 0, 'no second "Clôturer"');
    await page.getByRole('button', { name: 'Rouvrir' }).waitFor();
    assert.equal(await page.getByLabel('Votre réponse').count(), 0, 'a closed report takes no reply');
    await assertNoProblems(page);
  });

  journey('e. someone from another building sees neither the building nor the report', async (t) => {
    const url = needReport();
    const page = await newSession(PHONE);
    await login(page, 'voisin@demo.palier.test');
    const cards = page.getByRole('main').getByRole('listitem');
    assert.equal(await cards.count(), 1, 'one building listed');
    await cards.getByRole('link', { name: VIGNES, exact: true }).waitFor();
    assert.equal(await page.getByText(TILLEULS).count(), 0);

    const res = await page.goto(url);
    assert.equal(res.status(), 404);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'n’existe pas' }).waitFor();
    assert.equal(await page.getByText(TITLE).count(), 0, 'the title must not leak');
    await shot(page, 'not-found-phone.png');
    // Reported, not failed: the error page's header should still show the signed-in menu.
    if (await page.getByRole('button', { name: 'Se déconnecter' }).count() === 0) {
      t.diagnostic('404 page: header shows "Se connecter / Créer un compte" to a signed-in user');
    }
    // The 404 did not end the session.
    await page.goto('/buildings');
    await assertHeading(page, 'Mes immeubles');
    await page.getByRole('link', { name: VIGNES, exact: true }).waitFor();
    await assertNoProblems(page);
  });

  journey('f. the manager’s board, on a phone and on a desktop', async (t) => {
    needReport();
    for (const [viewport, name] of [[PHONE, 'board-phone.png'], [DESKTOP, 'board-desktop.png']]) {
      const page = await newSession(viewport);
      await login(page, 'gestionnaire@demo.palier.test');
      await openBuilding(page, TILLEULS);
      for (const col of ['À traiter', 'En cours', 'Clôturés']) {
        await page.getByRole('heading', { level: 2, name: col }).waitFor();
      }
      const closed = page.locator('.column.status-closed');
      await closed.getByRole('link', { name: TITLE }).waitFor();
      // Nothing sticks out sideways: no horizontal scrolling of the page.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      // Tabs that only a sideways scroll of the tab bar reveals (reported, not failed).
      const tabs = page.getByRole('navigation', { name: 'Rubriques de l’immeuble' }).getByRole('link');
      const hidden = [];
      for (const tab of await tabs.all()) {
        const box = await tab.boundingBox();
        if (!box || box.x < 0 || box.x + box.width > viewport.width) hidden.push(await tab.innerText());
      }
      if (hidden.length) t.diagnostic(`${name}: tabs off-screen until the tab bar is scrolled: ${hidden.join(', ')}`);
      await shot(page, name);
      assert.ok(overflow <= 0, `the board is ${overflow}px wider than the ${viewport.width}px viewport`);
      await assertNoProblems(page);
    }
  });

  // -------------------------------------------------------------------------
  // The work order: Nadia's lift report, Marc sends it to his favourite lift company, which has
  // no account and answers through the private link of its e-mail.

  journey('g. Nadia reports the lift stuck at the 2nd floor', async () => {
    const page = await newSession(PHONE);
    await login(page, 'locataire@demo.palier.test');
    await openBuilding(page, TILLEULS);
    await page.getByRole('link', { name: 'Signaler un problème' }).click();
    await assertHeading(page, 'Signaler un problème');
    await page.getByRole('radio', { name: 'Ascenseur' }).check();
    await page.getByLabel('En quelques mots').fill(LIFT_TITLE);
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByLabel('Description').waitFor();
    await page.getByLabel('Description').fill('La cabine reste au 2e étage, portes fermées ; le bouton d’appel ne répond plus.');
    await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
    await page.waitForURL(/\/reports\/[^/?#]+/);
    await assertHeading(page, LIFT_TITLE);
    await page.getByRole('status').filter({ hasText: 'Signalement envoyé.' }).waitFor();
    assert.equal((await statusBadge(page).innerText()).trim(), 'À traiter');
    await page.locator('article.report header').getByText('Ascenseur', { exact: true }).waitFor();
    workOrder.reportUrl = new URL(page.url()).pathname;
    await assertNoProblems(page);
  });

  journey('h. Marc sends a work order to his favourite lift company', async () => {
    const url = needLiftReport();
    const page = await newSession(DESKTOP);
    await login(page, 'gestionnaire@demo.palier.test');
    await openReportFromBoard(page, TILLEULS, LIFT_TITLE);
    assert.equal(new URL(page.url()).pathname, url);

    const section = page.getByRole('region', { name: 'Ordres de service' });
    const provider = section.getByLabel('Prestataire', { exact: true });
    const options = (await provider.locator('option').allInnerTexts()).map((o) => o.trim());
    assert.equal(options[0], DUPONT_OPTION, `the favourite comes first; options: ${options.join(' | ')}`);
    await provider.selectOption({ label: DUPONT_OPTION });
    await section.getByLabel('Date souhaitée').fill('jeudi matin');
    await section.getByRole('button', { name: 'Envoyer l’ordre de service' }).click();

    await page.getByRole('status').filter({ hasText: 'Ordre de service envoyé au prestataire.' }).waitFor();
    assert.equal(new URL(page.url()).pathname, url);
    assert.equal((await statusBadge(page).innerText()).trim(), 'En cours');
    const line = section.getByRole('listitem').filter({ hasText: DUPONT });
    assert.equal(await line.count(), 1, 'one work-order line for Ascenseurs Dupont');
    const text = (await line.innerText()).replace(/\s+/g, ' ').trim();
    const ref = text.match(/OS-\d{4}-\d{4}/);
    assert.ok(ref, `no OS-YYYY-NNNN reference in "${text}"`);
    assert.deepEqual(text.replace(/ ?PDF$/, '').split(' · '), [ref[0], DUPONT, 'Envoyé'], `line: "${text}"`);
    workOrder.reference = ref[0];

    const pdfHref = await line.getByRole('link', { name: 'PDF', exact: true }).getAttribute('href');
    const pdf = await page.request.get(pdfHref);
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'] ?? '', /^application\/pdf/);
    assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
    await shot(page, 'report-work-order-desktop.png');
    await assertNoProblems(page);
  });

  journey('i. Ascenseurs Dupont receives the e-mail with the PDF and one link', async (t) => {
    const ref = needWorkOrder();
    const mail = await waitForMail(
      (m) => m.to.includes(DUPONT_EMAIL) && (m.subject.includes(ref) || m.text.includes(ref)),
      `to ${DUPONT_EMAIL} about ${ref}`,
    );
    t.diagnostic(`e-mail: ${mail.file} — ${mail.subject}`);
    assert.match(mail.subject, new RegExp(`Ordre de service ${ref}`));
    const pdfs = mail.leaves.filter((l) => l.type === 'application/pdf');
    assert.equal(pdfs.length, 1, `one PDF part; parts: ${mail.leaves.map((l) => l.type).join(', ')}`);
    assert.equal(pdfs[0].body.subarray(0, 5).toString('latin1'), '%PDF-', 'the PDF part decodes to a PDF');
    assert.match(pdfs[0].headers['content-disposition'] ?? '', /attachment/);

    const linkRe = new RegExp(`${escapeRegExp(server.base)}/p/[0-9a-f]{64}(?![0-9a-zA-Z])`, 'g');
    const links = [...new Set(mail.text.match(linkRe) ?? [])];
    assert.equal(links.length, 1, `one private link in the text part:\n${mail.text}`);
    workOrder.link = links[0];
    if (mail.html && !mail.html.includes(links[0])) {
      t.diagnostic('the HTML part of the e-mail does not carry the private link as-is');
    }
    assert.match(mail.text, /12 rue des Tilleuls/);
  });

  journey('j. the provider acknowledges, schedules and reports on a phone, without an account', async (t) => {
    const ref = needWorkOrder();
    assert.ok(workOrder.link, 'needs the link of the e-mail, which was not found');
    const page = await newSession(PHONE);
    assert.deepEqual(await page.context().cookies(), [], 'a fresh context without cookies');
    const res = await page.goto(workOrder.link);
    assert.equal(res.status(), 200);
    await assertHeading(page, `Ordre de service ${ref}`);
    await page.getByText('12 rue des Tilleuls').first().waitFor();
    await page.getByText('4821B').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Se déconnecter' }).count(), 0, 'nobody is signed in');
    const badge = page.locator('.page-head .badge[class*="status-"]');
    assert.equal((await badge.innerText()).trim(), 'Envoyé');

    // Acknowledge.
    await page.getByRole('button', { name: 'J’ai bien reçu cet ordre de service' }).click();
    await page.getByRole('status').filter({ hasText: 'Merci, la prise en compte est enregistrée.' }).waitFor();
    assert.equal((await badge.innerText()).trim(), 'Pris en compte');
    assert.equal(await page.getByRole('button', { name: 'J’ai bien reçu cet ordre de service' }).count(), 0);

    // Schedule: 3 days from now at 09:00 (the app reads it in Europe/Paris, and shows it so).
    const d = new Date();
    d.setDate(d.getDate() + 3);
    const pad = (n) => String(n).padStart(2, '0');
    const value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T09:00`;
    const shown = `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} 09:00`;
    await page.getByLabel('Date et heure').fill(value);
    await page.getByRole('button', { name: 'Confirmer cette date' }).click();
    await page.getByRole('status').filter({ hasText: 'Date enregistrée' }).waitFor();
    assert.equal((await badge.innerText()).trim(), 'Planifié');
    await page.getByText(`Intervention prévue le ${shown}`).waitFor();

    // The calendar file.
    const calendar = page.getByRole('link', { name: 'ajouter à mon agenda' });
    const [download] = await Promise.all([page.waitForEvent('download'), calendar.click()]);
    const ics = await readFile(await download.path(), 'utf8');
    assert.match(ics, /BEGIN:VCALENDAR/);
    assert.match(ics, /BEGIN:VEVENT/);
    assert.match(download.suggestedFilename(), /\.ics$/);
    const icsRes = await page.request.get(await calendar.getAttribute('href'));
    assert.match(icsRes.headers()['content-type'] ?? '', /^text\/calendar/);
    const dtstart = ics.match(/^DTSTART[^:\r\n]*:(\S+)/m)?.[1];
    t.diagnostic(`calendar file ${download.suggestedFilename()}: DTSTART ${dtstart}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'provider-scheduled-phone.png');

    // The report after the visit.
    await page.getByLabel('Compte rendu').fill('Câble remplacé');
    assert.ok(await page.getByRole('radio', { name: 'Intervention terminée' }).isChecked(), '"Intervention terminée" is the default');
    await page.getByRole('button', { name: 'Envoyer le compte rendu' }).click();
    await page.getByRole('status').filter({ hasText: 'Compte rendu enregistré. Merci.' }).waitFor();
    assert.equal((await badge.innerText()).trim(), 'Terminé');
    assert.equal(await page.getByRole('button', { name: 'Envoyer le compte rendu' }).count(), 0, 'no second report');

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'provider-phone.png');
    assert.ok(overflow <= 0, `the provider page is ${overflow}px wider than the ${PHONE.width}px viewport`);
    await assertNoProblems(page);
  });

  journey('k. Nadia follows the intervention from the report, never seeing the private link', async () => {
    const url = needLiftReport();
    needWorkOrder();
    const page = await newSession(PHONE);
    await login(page, 'locataire@demo.palier.test');
    await openReportFromBoard(page, TILLEULS, LIFT_TITLE);
    assert.equal(new URL(page.url()).pathname, url);
    await shot(page, 'report-after-visit-phone.png');
    const history = page.getByRole('region', { name: 'Historique' });
    for (const what of [
      `a envoyé un ordre de service à ${DUPONT}`,
      'Intervention prévue le',
      'Compte rendu du prestataire : Intervention terminée — Câble remplacé',
    ]) {
      await history.getByText(what).first().waitFor({ timeout: 5000 })
        .catch(() => { throw new Error(`"${what}" not in the history`); });
    }
    const html = await page.content();
    assert.ok(!html.includes('/p/'), 'the provider’s private link must never reach occupants');
    if (workOrder.link) assert.ok(!html.includes(workOrder.link.split('/p/')[1]), 'nor its token');
    await assertNoProblems(page);
  });

  journey('l. the providers page counts the work order', async (t) => {
    needWorkOrder();
    const page = await newSession(DESKTOP);
    await login(page, 'gestionnaire@demo.palier.test');
    await page.goto('/providers');
    await assertHeading(page, 'Prestataires');
    const line = page.getByRole('main').getByRole('listitem').filter({ hasText: DUPONT });
    assert.equal(await line.count(), 1, 'one line for Ascenseurs Dupont');
    const text = (await line.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Ordres de service : 1(?!\d)/, `line: "${text}"`);
    t.diagnostic(`providers line: ${text.trim()}`);
    await shot(page, 'providers-desktop.png');
    await assertNoProblems(page);
  });

  journey('m. a forged provider link shows the 404 page', async () => {
    const page = await newSession(PHONE);
    const res = await page.goto(`/p/${'0'.repeat(64)}`);
    assert.equal(res.status(), 404);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'n’existe pas' }).waitFor();
    assert.equal(await page.getByText(/OS-\d{4}-\d{4}/).count(), 0);
    await assertNoProblems(page);
  });
});
