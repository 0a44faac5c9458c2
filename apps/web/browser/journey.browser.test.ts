// The journey a new organisation takes through the browser, screen by screen: sign up, upload a FlexLM
// log, read its peak and denials on the feature screen, create and revoke an API key, invite a Viewer who
// cannot see the admin screens, and export the audit log.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signIn, signUpAndSignIn, useBrowserTests, type BrowserTestServer, type Person } from './harness.ts';

/** Yesterday in UTC as the M/D/YYYY a FlexLM TIMESTAMP line writes, and as YYYY-MM-DD. */
function yesterday(): { flexlm: string; iso: string } {
  const day = new Date(Date.now() - 86_400_000);
  return { flexlm: `${day.getUTCMonth() + 1}/${day.getUTCDate()}/${day.getUTCFullYear()}`, iso: day.toISOString().slice(0, 10) };
}

/**
 * A FlexLM debug log of yesterday, as lmgrd and a vendor daemon write it: three people hold MATLAB at
 * once from 09:10 to 09:30 (the peak), and a fourth is denied and never gets a seat (a true denial).
 */
function flexlmLog(): string {
  return [
    ` 8:00:00 (lmgrd) TIMESTAMP ${yesterday().flexlm}`,
    ' 9:00:00 (MLM) OUT: "MATLAB" alice@ws-101  ',
    ' 9:05:00 (MLM) OUT: "MATLAB" bruno@ws-102  ',
    ' 9:10:00 (MLM) OUT: "MATLAB" chen@ws-103  ',
    ' 9:12:00 (MLM) DENIED: "MATLAB" dana@ws-104  (Licensed number of users already reached. (-4,342))',
    ' 9:30:00 (MLM) IN: "MATLAB" alice@ws-101  ',
    '10:00:00 (MLM) IN: "MATLAB" bruno@ws-102  ',
    '10:30:00 (MLM) IN: "MATLAB" chen@ws-103  ',
    '',
  ].join('\r\n');
}

/** The text of the `<dd>` beside a `<dt>` on the page. */
async function figure(page: Page, label: string): Promise<string> {
  const term = page.locator('dt', { hasText: new RegExp(`^${label}$`) });
  return ((await term.locator('xpath=following-sibling::dd[1]').textContent()) ?? '').trim();
}

async function ownerWithUpload(page: Page, server: BrowserTestServer, file: { name: string; text: string }): Promise<Person> {
  const owner = await signUpAndSignIn(page, server, 'owner');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Upload' }).click();
  await page.getByRole('heading', { name: 'Upload a log' }).waitFor();
  // A new organisation has no license server yet: the upload form offers to add one first.
  const serverChoice = page.getByLabel('License server', { exact: true });
  const newServer = page.getByRole('group', { name: 'New license server' });
  if (!(await newServer.isVisible())) await serverChoice.selectOption({ label: 'New license server…' });
  await newServer.getByLabel('Name', { exact: true }).fill('flex1');
  await newServer.getByLabel('Time zone').fill('UTC');
  await newServer.getByRole('button', { name: 'Add license server' }).click();
  await expect.poll(() => serverChoice.locator('option:checked').textContent()).toContain('flex1');

  await page.getByLabel('Log file').setInputFiles({ name: file.name, mimeType: 'text/plain', buffer: Buffer.from(file.text) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('heading', { name: 'Upload result' }).waitFor();
  return owner;
}

describe('a new organisation in the browser', () => {
  const browser = useBrowserTests();

  it('signs up, uploads a FlexLM log and reads the peak and the denial on the feature screen', async () => {
    const { server } = browser;
    const page = await browser.openPage();
    await ownerWithUpload(page, server, { name: 'lmgrd.log', text: flexlmLog() });

    const result = page.getByRole('region', { name: 'Upload result' });
    expect(await result.getByRole('status').first().textContent()).toContain('3 sessions, 1 denial');
    expect(await figure(page, 'Format')).toBe('FlexNet debug log');

    await page.getByRole('link', { name: 'See the features and their usage' }).click();
    // The usage is shown for the days the file covered.
    await page.waitForURL(/\/license-servers\?/);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ from: yesterday().iso, to: yesterday().iso });
    await page.getByRole('link', { name: 'MATLAB' }).click();
    await page.getByRole('heading', { name: /MATLAB/ }).first().waitFor();
    await page.getByRole('img', { name: /^Seats in use over time/ }).waitFor();

    expect(await figure(page, 'Peak')).toMatch(/^3 seats/);
    expect(await figure(page, 'True denials')).toBe('1 denial');
    expect(await figure(page, 'Retried denials')).toBe('0 denials');
    expect(await page.getByRole('img', { name: /^Seats in use over time/ }).getAttribute('aria-label')).toContain('at most 3 seats at once');
    // The chart is drawn (a canvas with pixels), not only described.
    expect(await page.locator('canvas').count()).toBeGreaterThan(0);
  });

  it('shows an old log’s usage for the days it covers, not an empty last month', async () => {
    const { server } = browser;
    const page = await browser.openPage();
    // A public FlexLM log from April 2015 (names replaced), kept with the parser's fixtures.
    const text = await readFile(new URL('../../../packages/usage-engine/fixtures/flexlm-debug/denials-and-queues.log', import.meta.url), 'utf8');
    await ownerWithUpload(page, server, { name: 'denials-and-queues.log', text });

    await page.getByRole('link', { name: 'See the features and their usage' }).click();
    await page.getByRole('link', { name: 'floating_license' }).click();
    await page.getByRole('img', { name: /^Seats in use over time/ }).waitFor();
    expect(await figure(page, 'Peak')).toMatch(/^1 seat/);
    expect(await figure(page, 'True denials')).toBe('1 denial');
    expect(await page.getByText('Summary').first().textContent()).toContain('2015');
  });

  it('creates an API key, shows it once, and revokes it', async () => {
    const { server } = browser;
    const owner = await server.api.newOrganization('keys');
    const page = await browser.openPage();
    await signIn(page, server, owner.email, owner.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents and API keys' }).click();

    await page.getByLabel('Key name').fill('Agent on flex1');
    await page.getByRole('checkbox', { name: /^ingest/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = await page.getByLabel('New API key').inputValue();
    expect(shown).toMatch(/^swk_[A-Za-z0-9_-]{43}$/);

    // The key works once created …
    const check = () => fetch(server.url('/api/api-keys/current'), { headers: { authorization: `Bearer ${shown}` } });
    expect((await check()).status).toBe(200);

    const keys = page.getByRole('table', { name: 'API keys' });
    await keys.getByRole('button', { name: 'Revoke Agent on flex1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => keys.getByRole('row', { name: /Agent on flex1/ }).textContent()).toContain('Revoked');
    // … and is refused on the very next request once revoked.
    expect((await check()).status).toBe(401);
    // Shown once: after a reload the page cannot show it again.
    await page.reload();
    await keys.waitFor();
    expect(await page.getByLabel('New API key').count()).toBe(0);
  });

  it('invites a Viewer, who signs up from the e-mail and is not offered the admin screens', async () => {
    const { server } = browser;
    const owner = await server.api.newOrganization('inviter');
    const ownerPage = await browser.openPage({ label: 'owner' });
    await signIn(ownerPage, server, owner.email, owner.password);
    await ownerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();

    const viewerEmail = `viewer.${Date.now()}@example.test`;
    await ownerPage.getByLabel('E-mail', { exact: true }).fill(viewerEmail);
    await ownerPage.getByLabel('Role', { exact: true }).selectOption('viewer');
    await ownerPage.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => ownerPage.getByRole('table', { name: 'Pending invitations' }).textContent()).toContain(viewerEmail);

    const viewerPage = await browser.openPage({ label: 'viewer', viewport: { width: 360, height: 740 } });
    await viewerPage.goto(await server.mailedLink(viewerEmail, '/accept-invite'));
    const viewerPassword = `Viewer-${Date.now()}-quiet-harbour`;
    await viewerPage.getByLabel('Your name').fill('Vera Viewer');
    await viewerPage.getByLabel('Password', { exact: true }).fill(viewerPassword);
    await viewerPage.getByRole('button', { name: 'Create account and join' }).click();
    await viewerPage.getByRole('heading', { name: /welcome|joined|ready/i }).first().waitFor();
    await signIn(viewerPage, server, viewerEmail, viewerPassword);

    const links = await viewerPage.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(links).toEqual(expect.arrayContaining(['Overview', 'Licenses', 'Members']));
    for (const admin of ['Upload', 'Agents and API keys', 'Audit log']) expect(links).not.toContain(admin);
    // Members are listed, but nothing a Viewer may not do is offered.
    await viewerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await viewerPage.getByRole('table', { name: 'Members' }).waitFor();
    expect(await viewerPage.getByRole('button', { name: 'Send invitation' }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: /^Change role of/ }).count()).toBe(0);
    // A typed address of an admin screen says it is not available instead of failing late.
    for (const path of ['/audit', '/api-keys', '/upload']) {
      await viewerPage.goto(server.url(path));
      await viewerPage.getByRole('heading', { name: 'Not available' }).waitFor();
    }
  });

  it('exports the audit log as CSV with the filters shown', async () => {
    const { server } = browser;
    const owner = await server.api.newOrganization('auditor');
    await server.api.createApiKey(owner, ['read'], 'Reporting script');
    const page = await browser.openPage();
    await signIn(page, server, owner.email, owner.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: 'Audit events' }).waitFor();

    await page.getByLabel('Action').fill('apikey');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Audit events' }).textContent()).toContain('apikey.create');

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const csv = await readFile(file, 'utf8');
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    expect(header).toMatch(/action/);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.includes('apikey.'))).toBe(true);
  });
});
