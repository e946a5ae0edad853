// Browser journey of the people lifecycle (issue 9): a tenant registers in a building that
// needs approval, waits (she sees nothing of it), the manager approves her from the list of
// requests, and she then sees the building. Run from tests/e2e:
//
//   npm ci && PALIER_BIN=../../target/debug/palier node --test lifecycle.mjs
//
// Starts `palier demo` on a fresh data dir and a free port (helpers copied from
// journeys.mjs), reads the e-mails the demo writes under <data dir>/mail/.
// Env: PALIER_BIN, CHROMIUM_PATH (default /usr/bin/chromium), SHOTS_DIR, E2E_KEEP_DATA=1.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
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
const DESKTOP = { width: 1366, height: 768 };
const NEWCOMER = { name: 'Inès Marchetti', email: 'ines.marchetti@example.test', password: 'un-long-mot-de-passe' };

// ---------------------------------------------------------------------------
// E-mails (as in journeys.mjs).

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
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document' && !r.url().endsWith('/favicon.ico')) {
      page.problems.push(`HTTP ${r.status()} for ${r.request().resourceType()} ${r.url()}`);
    }
  });
  return page;
}

async function assertHeading(page, name) {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor({ timeout: 5000 });
}

async function login(page, email, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('main').getByRole('button', { name: 'Se connecter' }).click();
  page.landed = await afterLogin(page);
  await assertHeading(page, 'Mes immeubles');
}

async function shotOnFailure(t, fn) {
  const first = contexts.length;
  try {
    await fn();
  } catch (err) {
    let n = 0;
    for (const c of contexts.slice(first)) {
      for (const p of c.pages()) {
        const file = path.join(SHOTS_DIR, `failed-lifecycle-${++n}.png`);
        await p.screenshot({ path: file, fullPage: true }).catch(() => {});
        t.diagnostic(`page at failure: ${p.url()} -> ${file}`);
      }
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------

describe('the people lifecycle', () => {
  before(async () => {
    await mkdir(SHOTS_DIR, { recursive: true });
    await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    await stopServer();
  });

  test('a tenant registers in a building needing approval, waits, is approved, sees the building', async (t) => {
    await shotOnFailure(t, async () => {
      const code = server.codes[TILLEULS];
      assert.ok(code, `the demo printed the code of ${TILLEULS}:\n${server.out}`);

      // The manager asks that new members be approved.
      const manager = await newSession(DESKTOP);
      await login(manager, 'gestionnaire@demo.palier.test');
      await manager.getByRole('link', { name: TILLEULS, exact: true }).click();
      await assertHeading(manager, TILLEULS);
      await manager.getByRole('link', { name: 'Occupants', exact: true }).click();
      await manager.getByRole('link', { name: 'Demandes d’inscription' }).click();
      await assertHeading(manager, 'Demandes d’inscription');
      await manager.getByLabel('Les nouvelles inscriptions doivent être validées').check();
      await manager.getByRole('button', { name: 'Enregistrer' }).click();
      await manager.getByRole('status').filter({ hasText: 'Réglage enregistré.' }).waitFor();
      assert.ok(await manager.getByLabel('Les nouvelles inscriptions doivent être validées').isChecked());

      // The newcomer registers from the hall poster's link, on her phone.
      const tenant = await newSession(PHONE);
      await tenant.goto(`/register?code=${code}`);
      await tenant.getByText(`Vous rejoignez l’immeuble : ${TILLEULS}`).waitFor();
      const owner = tenant.getByLabel('Propriétaire', { exact: true });
      const renter = tenant.getByLabel('Locataire', { exact: true });
      assert.equal(await owner.isChecked(), false, 'nothing preselected');
      assert.equal(await renter.isChecked(), false, 'nothing preselected');
      await tenant.getByLabel('Nom et prénom').fill(NEWCOMER.name);
      await tenant.getByLabel('Adresse e-mail').fill(NEWCOMER.email);
      await tenant.getByLabel('Mot de passe').fill(NEWCOMER.password);
      await tenant.getByLabel('Lot').fill('42');
      await renter.check();
      await tenant.getByLabel('J’accepte la charte d’utilisation').check();
      await tenant.getByRole('button', { name: 'Créer mon compte' }).click();
      await tenant.waitForURL('**/buildings?notice=registration_pending');
      await tenant.getByText('attend la validation').first().waitFor();
      await tenant.getByText('inscription en attente de validation').waitFor();
      assert.equal(await tenant.getByRole('link', { name: TILLEULS, exact: true }).count(), 0,
        'pending: the building is not hers yet');

      // The manager approves her from the list.
      await manager.reload();
      await manager.locator('li strong', { hasText: NEWCOMER.name }).waitFor();
      await manager.getByRole('button', { name: `Valider ${NEWCOMER.name}` }).click();
      await manager.getByRole('status').filter({ hasText: 'Inscription validée' }).waitFor();
      assert.equal(await manager.locator('li strong', { hasText: NEWCOMER.name }).count(), 0, 'no longer waiting');

      // She is told by e-mail, and now sees the building.
      const mail = await waitForMail((m) => m.to.includes(NEWCOMER.email) && m.subject.includes('Bienvenue'), 'of approval');
      assert.match(mail.text, /validée/);
      await tenant.goto('/buildings');
      await tenant.getByRole('link', { name: TILLEULS, exact: true }).click();
      await assertHeading(tenant, TILLEULS);
      await axeSettled(manager);
      await axeSettled(tenant);
      assert.deepEqual([...manager.problems, ...tenant.problems], []);
    });
  });
});
