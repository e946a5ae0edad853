// Browser journey for the manager's morning (issue 12), in headless Chromium driven by
// playwright-core. Run from tests/e2e:
//
//   npm ci && PALIER_BIN=../../target/debug/palier node --test dashboard.mjs
//
// A tenant's leak report is filed through the API (the report form has its own journeys);
// then the manager signs in on a phone and lands on the portfolio dashboard, finds the
// building's counts, searches every building from the dashboard's box, opens the report
// found, assigns it to the caretaker, and opens the building's statistics for the council.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { server, startServer, stopServer, watchAccessibility, axeSettled } from './_support.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS_DIR = process.env.SHOTS_DIR || '/tmp/palier-e2e/shots';
const PASSWORD = 'palier-demo';
const TILLEULS = 'Résidence des Tilleuls';
const PHONE = { width: 390, height: 844 };
const LEAK = 'Fuite sous l’évier du local vélos';
const CARETAKER = 'Jean Moreau';

let browser;

async function api(method, url, token, body) {
  const res = await fetch(server.base + url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  return { status: res.status, json };
}

describe('The manager’s morning', { concurrency: false }, () => {
  before(async () => {
    await mkdir(SHOTS_DIR, { recursive: true });
    await startServer();
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    const login = await api('POST', '/api/v1/auth/token', null, { email: 'locataire@demo.palier.test', password: PASSWORD });
    assert.equal(login.status, 200);
    const buildings = await api('GET', '/api/v1/buildings', login.json.token);
    const tilleuls = buildings.json.find((b) => b.name === TILLEULS);
    assert.ok(tilleuls, 'the tenant lives at the Tilleuls');
    const created = await api('POST', `/api/v1/buildings/${tilleuls.id}/reports`, login.json.token, {
      category: 'plomberie', title: LEAK, description: 'L’eau coule sous l’évier depuis ce matin.',
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
  });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    await stopServer();
  });

  test('dashboard, portfolio search, assignment and statistics on a phone', async () => {
    const context = await browser.newContext({
      viewport: PHONE, baseURL: server.base, locale: 'fr-FR', isMobile: true, hasTouch: true, deviceScaleFactor: 2,
    });
    const page = await context.newPage();
    page.problems = [];
    watchAccessibility(page);
    page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));

    // Signing in lands on the portfolio dashboard.
    await page.goto('/login');
    await page.getByLabel('Adresse e-mail').fill('gestionnaire@demo.palier.test');
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('main').getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL((u) => u.pathname === '/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: TILLEULS });
    await row.waitFor();
    // Building, lots, then « À traiter »: the new report is counted on its building.
    assert.match(await row.innerText(), new RegExp(`${TILLEULS}\\s+\\d+\\s+1\\s+0\\s+0`));
    await page.screenshot({ path: path.join(SHOTS_DIR, 'dashboard-phone.png'), fullPage: true });

    // One search box for every building.
    await page.getByRole('search').getByRole('searchbox').fill('fuites');
    await page.getByRole('search').getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rechercher dans tous mes immeubles' }).waitFor();
    const hit = page.locator('li.report-card').filter({ hasText: LEAK });
    await hit.waitFor();
    assert.match(await hit.innerText(), new RegExp(TILLEULS), 'each hit names its building');

    // The report found, assigned to the caretaker.
    await hit.getByRole('link', { name: LEAK }).click();
    await page.getByRole('heading', { level: 1, name: LEAK }).waitFor();
    const assign = page.getByLabel('Confié à', { exact: true });
    const options = await assign.locator('option').allInnerTexts();
    const caretaker = options.find((o) => o.includes(CARETAKER));
    assert.ok(caretaker, `the caretaker can be chosen: ${options.join(', ')}`);
    await assign.selectOption({ label: caretaker });
    await page.getByRole('button', { name: 'Confier', exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get('notice') === 'report_assigned');
    await page.getByText(`Confié à ${CARETAKER}`).first().waitFor();

    // The building's statistics, for the council meeting.
    await page.goto('/dashboard');
    await page.getByRole('row').filter({ hasText: TILLEULS }).getByRole('link', { name: 'Statistiques' }).click();
    await page.getByRole('heading', { level: 1, name: `Statistiques · ${TILLEULS}` }).waitFor();
    assert.ok(await page.locator('svg[role="img"]').count() >= 2, 'charts drawn on the server');
    assert.ok(await page.locator('table').count() >= 2, 'each chart has its table');
    await page.screenshot({ path: path.join(SHOTS_DIR, 'stats-phone.png'), fullPage: true });

    const checked = await axeSettled(page);
    assert.ok(checked.length >= 5, `axe-core checked ${checked.length} pages`);
    assert.deepEqual(page.problems, []);
    await context.close();
  });
});
