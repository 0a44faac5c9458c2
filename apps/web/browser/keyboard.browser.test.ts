// The screens work by keyboard alone: moving with Tab, acting with Enter and Space, and focus landing where
// the work goes on (a dialog's buttons, then back on the page).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signIn, useBrowserTests } from './harness.ts';

/** The accessible name of the focused element, as far as a simple reading goes (label, aria-label, text). */
function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element) return '';
    const input = element as HTMLInputElement;
    const label = input.labels?.[0]?.textContent ?? '';
    return (element.getAttribute('aria-label') ?? (label || element.textContent || '')).trim();
  });
}

/** Presses Tab until the focused element's name starts with `name` (at most 80 times). */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    if ((await focusedName(page)).startsWith(name)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached "${name}" (last: "${await focusedName(page)}")`);
}

describe('by keyboard alone', () => {
  const browser = useBrowserTests();

  it('an Owner creates an API key and revokes it without a mouse', async () => {
    const { server } = browser;
    const owner = await server.api.newOrganization('keyboard');
    const page = await browser.openPage();
    await signIn(page, server, owner.email, owner.password);

    await tabTo(page, 'Agents and API keys');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Agents and API keys', level: 1 }).waitFor();

    await tabTo(page, 'Key name');
    await page.keyboard.type('Keyboard agent');
    // The read scope is ticked with Space; ingest (what an agent needs) is ticked already.
    await tabTo(page, 'read');
    await page.keyboard.press('Space');
    expect(await page.getByRole('checkbox', { name: /^read/ }).isChecked()).toBe(true);
    await tabTo(page, 'Create key');
    await page.keyboard.press('Enter');
    expect(await page.getByLabel('New API key').inputValue()).toMatch(/^swk_/);

    await tabTo(page, 'Revoke Keyboard agent');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Focus starts inside the dialog, on the harmless choice.
    expect(await focusedName(page)).toBe('Cancel');
    await tabTo(page, 'Revoke key');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByRole('table', { name: 'API keys' }).getByRole('row', { name: /Keyboard agent/ }).textContent()).toContain('Revoked');
  });
});
