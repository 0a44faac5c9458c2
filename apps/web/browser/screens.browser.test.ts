// Every signed-in screen, on a phone and on a laptop: it fits the width (no sideways scrolling), has one
// page heading, and every control has a name a screen reader can read out.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestApp, TestSession } from '../../server/src/testing/test-app.ts';
import { signIn, useBrowserTests } from './harness.ts';

const SCREENS = ['/', '/license-servers', '/upload', '/api-keys', '/members', '/audit', '/account'];
const VIEWPORTS = [
  { label: 'phone', viewport: { width: 360, height: 740 } },
  { label: 'laptop', viewport: { width: 1280, height: 800 } },
];

/** What is wrong with the screen shown: overflow, headings, and controls without an accessible name. */
async function problemsOf(page: Page): Promise<string[]> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) found.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
    const headings = document.querySelectorAll('h1');
    if (headings.length !== 1) found.push(`${headings.length} h1 headings`);
    for (const control of document.querySelectorAll<HTMLElement>('input, select, textarea, button, a[href]')) {
      if (control.closest('[hidden], dialog:not([open])') || (control as HTMLInputElement).type === 'hidden') continue;
      const labelled =
        control.getAttribute('aria-label') ||
        control.getAttribute('aria-labelledby') ||
        ('labels' in control && (control as HTMLInputElement).labels?.length) ||
        (control.textContent ?? '').trim() ||
        control.getAttribute('title');
      if (!labelled) found.push(`a ${control.tagName.toLowerCase()} without a name: ${control.outerHTML.slice(0, 120)}`);
    }
    return found;
  });
  return problems;
}

/** Stores a day of one feature's usage through the API, and answers the feature screen's path. */
async function uploadSomeUsage(api: TestApp, owner: TestSession): Promise<string> {
  const day = new Date(Date.now() - 86_400_000);
  const log = [
    ` 8:00:00 (lmgrd) TIMESTAMP ${day.getUTCMonth() + 1}/${day.getUTCDate()}/${day.getUTCFullYear()}`,
    ' 9:00:00 (MLM) OUT: "MATLAB" alice@ws-101',
    ' 9:05:00 (MLM) DENIED: "MATLAB" bruno@ws-102  (Licensed number of users already reached. (-4,342))',
    '11:00:00 (MLM) IN: "MATLAB" alice@ws-101',
    '',
  ].join('\n');
  const licenseServer = await api.request({ as: owner, method: 'POST', url: '/api/license-servers', payload: { name: 'flex1', timeZone: 'UTC' } });
  const upload = await api.request({
    as: owner,
    method: 'POST',
    url: '/api/uploads',
    payload: { licenseServerId: licenseServer.json().id, fileName: 'lmgrd.log' },
  });
  const stored = await api.request({
    as: owner,
    method: 'PUT',
    url: `/api/uploads/${upload.json().id}/content`,
    headers: { 'content-type': 'application/octet-stream' },
    payload: Buffer.from(log),
  });
  expect(stored.json().status).toBe('done');
  const features = await api.request({ as: owner, method: 'GET', url: '/api/features' });
  return `/features/${features.json().features[0].id}`;
}

describe('every screen fits and is labelled', () => {
  const browser = useBrowserTests();

  for (const { label, viewport } of VIEWPORTS) {
    it(`on a ${label} (${viewport.width} px)`, async () => {
      const { server } = browser;
      const owner = await server.api.newOrganization(label);
      await server.api.createApiKey(owner, ['ingest'], 'Agent on flex1');
      const featureScreen = await uploadSomeUsage(server.api, owner);
      const page = await browser.openPage({ viewport });
      await signIn(page, server, owner.email, owner.password);

      const problems: string[] = [];
      for (const screen of [...SCREENS, featureScreen]) {
        await page.goto(server.url(screen));
        await page.locator('h1').first().waitFor();
        // Wait for the screen's data: no spinner left.
        await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => undefined);
        for (const problem of await problemsOf(page)) problems.push(`${screen}: ${problem}`);
      }
      expect(problems).toEqual([]);
    });
  }
});
