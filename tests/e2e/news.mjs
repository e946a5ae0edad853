// Browser journey for announcements and polls (issue 10), on a phone, in headless Chromium
// driven by playwright-core. Run from tests/e2e:
//
//   npm ci && PALIER_BIN=../../target/debug/palier node --test news.mjs
//
// Starts `palier demo` on a fresh data dir and a free port (the same pattern as
// journeys.mjs), then: the referent publishes a water-cut notice from a template; the
// tenant reads it; the referent creates a poll and confirms its publication; the tenant
// votes; the referent closes it and the tenant sees the greyed results with the chart.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { server, startServer, stopServer, readMails, waitForMail, escapeRegExp, watchAccessibility, axeSettled, afterLogin } from './_support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS_DIR = process.env.SHOTS_DIR || '/tmp/palier-e2e/shots';
const PASSWORD = 'palier-demo';
const TILLEULS = 'Résidence des Tilleuls';
const PHONE = { width: 390, height: 844 };
const NOTICE = 'Coupure d’eau le jeudi 3 décembre';
const POLL = 'Couleur du hall';

let browser;
const contexts = [];

async function phone() {
  const context = await browser.newContext({
    viewport: PHONE, baseURL: server.base, locale: 'fr-FR', isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  });
  contexts.push(context);
  const page = await context.newPage();
  page.problems = [];
  watchAccessibility(page);
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') {
      page.problems.push(`HTTP ${r.status()} for ${r.url()}`);
    }
  });
  return page;
}

async function login(page, email) {
  await page.goto('/login');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('main').getByRole('button', { name: 'Se connecter' }).click();
  page.landed = await afterLogin(page);
}

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor({ timeout: 5000 });
}

async function openNews(page) {
  await page.getByRole('link', { name: TILLEULS, exact: true }).click();
  await heading(page, TILLEULS);
  await page.getByRole('navigation', { name: 'Rubriques de l’immeuble' }).getByRole('link', { name: 'Infos' }).click()
    .catch(async () => page.getByRole('link', { name: 'Infos', exact: true }).first().click());
  await heading(page, 'Infos');
}

/** Nothing wider than the phone's screen. */
async function assertFitsPhone(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px on a phone`);
}

const state = { poll: null };

describe('Announcements and polls on a phone', { concurrency: false }, () => {
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
    for (const c of contexts) await c.close().catch(() => {});
    if (browser) await browser.close().catch(() => {});
    await stopServer();
  });

  test('the referent publishes a water-cut notice from a template', async () => {
    const page = await phone();
    await login(page, 'referent@demo.palier.test');
    await openNews(page);
    await page.getByLabel('Partir d’un modèle').selectOption({ label: 'Coupure d’eau le {date}' });
    await page.getByRole('button', { name: 'Utiliser' }).click();
    const title = page.getByLabel('Titre');
    assert.equal(await title.inputValue(), 'Coupure d’eau le {date}');
    await title.fill(NOTICE);
    const body = page.getByLabel('Texte');
    const text = (await body.inputValue())
      .replaceAll('{date}', 'jeudi 3 décembre').replace('{start}', '9 h').replace('{end}', '12 h')
      .replace('{reason}', 'remplacement d’une vanne');
    await body.fill(text);
    await assertFitsPhone(page);
    await page.getByRole('button', { name: 'Publier', exact: true }).click();
    await heading(page, NOTICE);
    await page.getByText('Information publiée.').waitFor();
    await page.getByText('Vu par 0 / 4').waitFor();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'news-published.png'), fullPage: true });
    await axeSettled(page);
    assert.deepEqual(page.problems, []);
  });

  test('the tenant reads it on her phone', async () => {
    const page = await phone();
    await login(page, 'locataire@demo.palier.test');
    await openNews(page);
    await page.getByRole('link', { name: NOTICE }).click();
    await heading(page, NOTICE);
    await page.getByText('de 9 h à 12 h').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Retirer cette information' }).count(), 0);
    await assertFitsPhone(page);
    await axeSettled(page);
    assert.deepEqual(page.problems, []);
  });

  test('the referent creates a poll and confirms its publication', async () => {
    const page = await phone();
    await login(page, 'referent@demo.palier.test');
    await page.goto('/buildings');
    await openNews(page);
    await page.getByRole('link', { name: 'Sondages' }).first().click();
    await heading(page, 'Sondages');
    await page.getByLabel('Sujet').fill(POLL);
    await page.getByLabel('Question', { exact: true }).fill('Quelle couleur pour le hall ?');
    await page.getByLabel('Réponses possibles', { exact: true }).fill('Bleu\nVert\nJaune');
    await page.getByLabel('Résultats visibles').selectOption('after_close');
    await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
    await heading(page, POLL);
    await page.getByText('Brouillon enregistré').waitFor();
    state.poll = new URL(page.url()).pathname;
    await page.getByRole('button', { name: /Publier et inviter \d+ personnes/ }).click();
    await page.getByText('Sondage publié').waitFor();
    await axeSettled(page);
    assert.deepEqual(page.problems, []);
  });

  test('the tenant votes on her phone', async () => {
    assert.ok(state.poll, 'needs the poll of the previous step');
    const page = await phone();
    await login(page, 'locataire@demo.palier.test');
    await page.goto(state.poll);
    await heading(page, POLL);
    await assertFitsPhone(page);
    await page.getByLabel('Vert').check();
    await page.getByRole('button', { name: 'Voter' }).click();
    await page.getByText('Vote enregistré.').waitFor();
    assert.ok(await page.getByLabel('Vert').isChecked());
    await page.getByText('Les résultats seront visibles après la clôture.').waitFor();
    await page.screenshot({ path: path.join(SHOTS_DIR, 'news-voted.png'), fullPage: true });
    await axeSettled(page);
    assert.deepEqual(page.problems, []);
  });

  test('closed, the poll shows greyed results with a chart and its table', async () => {
    const referent = await phone();
    await login(referent, 'referent@demo.palier.test');
    await referent.goto(state.poll);
    await referent.getByRole('button', { name: 'Clore le sondage' }).click();
    await referent.getByText('Sondage clos').waitFor();
    const page = await phone();
    await login(page, 'locataire@demo.palier.test');
    await page.goto(state.poll);
    await page.getByRole('img', { name: 'Résultats' }).waitFor();
    const row = page.getByRole('row', { name: /Vert/ });
    assert.match(await row.innerText(), /1\s+100\.0 %/);
    assert.ok(await page.locator('article.poll.closed').count() === 1, 'greyed when closed');
    assert.equal(await page.getByRole('button', { name: 'Voter' }).count(), 0);
    await assertFitsPhone(page);
    await page.screenshot({ path: path.join(SHOTS_DIR, 'news-results.png'), fullPage: true });
    await axeSettled(page);
    assert.deepEqual(page.problems, []);
  });
});
