// Browser journey of the portfolio import (issue 9, B7): the agency's manager imports the
// committed 40-building sample (Windows-1252, `;`) from the page, checks it first (dry run),
// then imports it for real and sees the summary; the imported buildings are then theirs.
// Run from tests/e2e:
//
//   npm ci && PALIER_BIN=../../target/debug/palier node --test import.mjs
//
// Env: PALIER_BIN, CHROMIUM_PATH (default /usr/bin/chromium), SHOTS_DIR, E2E_KEEP_DATA=1.

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
const SAMPLE = path.join(repoRoot, 'tests', 'fixtures', 'portfolio-40-buildings.csv');
const PASSWORD = 'palier-demo';
const PHONE = { width: 390, height: 844 };

// ---------------------------------------------------------------------------

let browser;

async function login(page, email) {
  await page.goto('/login');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('main').getByRole('button', { name: 'Se connecter' }).click();
  page.landed = await afterLogin(page);
}

/** The summary table's row for `kind` as [created, updated, unchanged]. */
async function counts(page, kind) {
  const row = page.locator('#import-summary tbody tr').filter({ has: page.getByRole('rowheader', { name: kind, exact: true }) });
  return (await row.locator('td').allTextContents()).map((t) => Number(t.trim()));
}

describe('Portfolio import from the browser', { concurrency: false }, () => {
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

  test('the manager checks, then imports the 40-building sample and sees the summary', async () => {
    const context = await browser.newContext({
      viewport: PHONE, isMobile: true, hasTouch: true, baseURL: server.base, locale: 'fr-FR',
    });
    const page = await context.newPage();
    const problems = [];
    page.problems = problems;
    watchAccessibility(page);
    page.on('pageerror', (e) => problems.push(e.message));
    try {
      await login(page, 'gestionnaire@demo.palier.test');
      await page.getByRole('link', { name: 'Importer immeubles et occupants (CSV)' }).click();
      await page.getByRole('heading', { level: 1, name: 'Importer un portefeuille' }).waitFor();

      // A dry run first: the summary says what would happen, and nothing is saved.
      await page.getByLabel('Fichier CSV').setInputFiles(SAMPLE);
      await page.getByLabel('Vérifier seulement').check();
      await page.getByRole('button', { name: 'Importer', exact: true }).click();
      await page.getByRole('heading', { name: 'Résultat de la vérification (rien n’a été enregistré)' }).waitFor();
      assert.deepEqual(await counts(page, 'Immeubles'), [40, 0, 0]);
      await page.goto('/buildings');
      assert.equal(await page.getByRole('link', { name: 'Les Jardins d’Hélène', exact: true }).count(), 0);

      // The real import, with invitations.
      await page.getByRole('link', { name: 'Importer immeubles et occupants (CSV)' }).click();
      await page.getByLabel('Fichier CSV').setInputFiles(SAMPLE);
      await page.getByLabel('Inviter par e-mail').check();
      await page.getByRole('button', { name: 'Importer', exact: true }).click();
      await page.getByRole('heading', { name: 'Résultat', exact: true }).waitFor();
      assert.deepEqual(await counts(page, 'Immeubles'), [40, 0, 0]);
      const [lots] = await counts(page, 'Lots');
      const [people] = await counts(page, 'Personnes');
      assert.ok(lots > 200 && people > 200, `lots ${lots}, people ${people}`);
      await page.getByText('Aucune ligne refusée.').waitFor();
      await page.getByText(`Invitations envoyées : ${people}`).waitFor();
      await page.screenshot({ path: path.join(SHOTS_DIR, 'import-summary-phone.png'), fullPage: true });

      // Importing the same file again changes nothing.
      await page.getByLabel('Fichier CSV').setInputFiles(SAMPLE);
      await page.getByRole('button', { name: 'Importer', exact: true }).click();
      await page.getByRole('heading', { name: 'Résultat', exact: true }).waitFor();
      assert.deepEqual(await counts(page, 'Immeubles'), [0, 0, 40]);
      assert.deepEqual((await counts(page, 'Lots')).slice(0, 2), [0, 0]);

      // The buildings are the agency's now, accents intact (the file is Windows-1252).
      await page.goto('/buildings');
      await page.getByRole('link', { name: 'Les Jardins d’Hélène', exact: true }).click();
      await page.getByRole('link', { name: 'Lots et bailleurs' }).click();
      await page.getByRole('heading', { level: 1, name: 'Lots et bailleurs' }).waitFor();
      assert.ok(await page.locator('ul.lots > li').count() >= 4);
      await axeSettled(page);
      assert.deepEqual(problems, []);
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS_DIR, 'failed-import.png'), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  });
});
