// Browser journey for insurance claims (issue 11): the insurer's private link on a phone,
// in headless Chromium driven by playwright-core. Run from tests/e2e:
//
//   npm ci && PALIER_BIN=../../target/debug/palier node --test claims.mjs
//
// Starts `palier demo`, then (through the API, as the manager's software would) gives
// Résidence des Tilleuls an insurer and a policy number, turns the tenant's ceiling-leak
// report into a water-damage claim and transmits it. The insurer then opens the link from
// the e-mail on a phone (no account, no JavaScript needed): reads the claim, gives a
// reference and the expert's visit, and writes a message; the manager is e-mailed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { server, startServer, stopServer, waitForMail } from './_support.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS_DIR = process.env.SHOTS_DIR || '/tmp/palier-e2e/shots';
const PASSWORD = 'palier-demo';
const TILLEULS = 'Résidence des Tilleuls';
const PHONE = { width: 390, height: 844 };
const INSURER = 'sinistres@mutuelle-e2e.test';

let browser;
const state = { link: null, reference: null };

async function api(method, url, token, body) {
  const resp = await fetch(`${server.base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: resp.status, json, text };
}

async function token(email) {
  const r = await api('POST', '/api/v1/auth/token', null, { email, password: PASSWORD });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

/** Nothing wider than the phone's screen. */
async function assertFitsPhone(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px on a phone`);
}

describe('The insurer follows a claim from their link, on a phone', { concurrency: false }, () => {
  before(async () => {
    await mkdir(SHOTS_DIR, { recursive: true });
    await startServer();
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    await stopServer();
  });

  test('the manager declares the ceiling leak and transmits it to the insurer', async () => {
    const manager = await token('gestionnaire@demo.palier.test');
    const tenant = await token('locataire@demo.palier.test');
    const buildings = await api('GET', '/api/v1/buildings', manager);
    const tilleuls = buildings.json.find((b) => b.name === TILLEULS);
    assert.ok(tilleuls, buildings.text);
    const report = await api('POST', `/api/v1/buildings/${tilleuls.id}/reports`, tenant, {
      category: 'plomberie', location: 'escalier A, 3e étage', title: 'Fuite au plafond du palier',
      description: 'De l’eau coule du plafond.',
    });
    assert.equal(report.status, 201, report.text);
    const insurer = await api('POST', '/api/v1/insurers', manager, { name: 'Mutuelle E2E', claims_email: INSURER });
    assert.equal(insurer.status, 201, insurer.text);
    const set = await api('PUT', `/api/v1/buildings/${tilleuls.id}/insurance`, manager, { insurer_id: insurer.json.id, policy_number: 'POL-E2E-1' });
    assert.equal(set.status, 200, set.text);
    const today = new Date().toISOString().slice(0, 10);
    const claim = await api('POST', `/api/v1/buildings/${tilleuls.id}/claims`, manager, {
      report_id: report.json.id, kind: 'degat-des-eaux', occurred_at: today, discovered_at: today,
      description: 'Fuite sur la colonne d’eau chaude du 4e <script>alert(1)</script>',
      damages: 'Plafond du palier taché', estimated_amount_cents: 125000, lots_concerned: [],
    });
    assert.equal(claim.status, 201, claim.text);
    state.reference = claim.json.reference;
    const sent = await api('POST', `/api/v1/claims/${claim.json.id}/transmit`, manager, {});
    assert.equal(sent.status, 200, sent.text);
    const mail = await waitForMail((m) => m.to.includes(INSURER) && m.subject.includes(state.reference), 'to the insurer');
    const link = mail.text.split(/\s+/).find((w) => /\/i\/[0-9a-f]{64}$/.test(w));
    assert.ok(link, mail.text);
    state.link = new URL(link, server.base).pathname;
  });

  test('the insurer gives a reference, the expert’s visit and a message', async () => {
    const context = await browser.newContext({
      viewport: PHONE, baseURL: server.base, locale: 'fr-FR', isMobile: true, hasTouch: true,
      deviceScaleFactor: 2, javaScriptEnabled: false,
    });
    const page = await context.newPage();
    const problems = [];
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    await page.goto(state.link);
    await page.getByRole('heading', { level: 1, name: `Sinistre ${state.reference}` }).waitFor();
    await page.getByText('POL-E2E-1').waitFor();
    await page.getByText('<script>alert(1)</script>', { exact: false }).waitFor();
    await assertFitsPhone(page);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'claim-insurer-link.png'), fullPage: true });

    await page.getByLabel('Référence du sinistre chez l’assureur').fill('MUT-E2E-42');
    await page.getByRole('button', { name: 'Enregistrer la référence' }).click();
    await page.getByText('Merci, votre référence est enregistrée.').waitFor();
    await page.getByText('Pris en compte par l’assureur').waitFor();

    const visit = new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10);
    await page.getByLabel('Date et heure de l’expertise').fill(`${visit}T10:00`);
    await page.getByRole('button', { name: 'Enregistrer la date' }).click();
    await page.getByText('Merci, la date de l’expertise est enregistrée.').waitFor();
    await page.getByText('Expertise planifiée').first().waitFor();

    await page.getByLabel('Votre message').fill('L’expert passera avec le plombier.');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByText('Merci, votre message a été transmis au gestionnaire.').waitFor();
    await page.getByText('L’expert passera avec le plombier.').waitFor();
    await assertFitsPhone(page);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'claim-insurer-answered.png'), fullPage: true });
    assert.deepEqual(problems, []);

    const notice = await waitForMail(
      (m) => m.to.includes('gestionnaire@demo.palier.test') && m.subject.includes(state.reference)
        && m.text.includes('L’expert passera avec le plombier.'),
      'to the manager about the insurer’s message',
    );
    assert.ok(notice.subject.includes('l’assureur a répondu'), notice.subject);
    await context.close();
  });
});
