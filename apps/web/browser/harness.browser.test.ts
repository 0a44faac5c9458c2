// The harness fails a test whose page breaks the Content Security Policy or throws; these tests provoke
// both on purpose and check that they are caught (and then take them, so the tests themselves pass).
import { describe, expect, it } from 'vitest';
import { useBrowserTests } from './harness.ts';

describe('browser test harness', () => {
  const browser = useBrowserTests();

  it('records a style the Content Security Policy refuses', async () => {
    const page = await browser.openPage();
    await page.goto(browser.server.url('/sign-in'));
    await page.getByRole('heading', { name: 'Sign in to Seatwise' }).waitFor();
    expect(browser.takeProblems(page)).toEqual([]);

    // An inline style attribute is what style-src 'self' forbids (React's style prop goes through CSSOM instead).
    await page.evaluate("document.querySelector('h1').setAttribute('style', 'outline: 2px solid red')");

    await expect.poll(() => browser.takeProblems(page).join('\n')).toMatch(/Content Security Policy/);
  });

  it('records an uncaught error on the page', async () => {
    const page = await browser.openPage();
    await page.goto(browser.server.url('/sign-in'));
    await page.getByRole('heading', { name: 'Sign in to Seatwise' }).waitFor();

    await page.evaluate("setTimeout(() => { throw new Error('thrown on purpose') })");

    await expect.poll(() => browser.takeProblems(page).join('\n')).toContain('uncaught error: thrown on purpose');
  });
});
