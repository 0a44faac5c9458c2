// How the browser keeps a session: an expired access token is replaced without the person noticing, and a
// session ended elsewhere (sign out everywhere on another device) lands on sign-in with a message.
import { describe, expect, it } from 'vitest';
import { signIn, useBrowserTests } from './harness.ts';

describe('sessions in the browser', () => {
  const browser = useBrowserTests();

  it('an access token that is gone is refreshed silently, and the page loads', async () => {
    const { server } = browser;
    const owner = await server.api.newOrganization('refresh');
    const page = await browser.openPage();
    await signIn(page, server, owner.email, owner.password);

    // What an expired access token looks like to the browser: the cookie is gone, the refresh cookie stays.
    await page.context().clearCookies({ name: '__Host-sw_access' });
    const refreshed = page.waitForResponse((response) => response.url().endsWith('/api/auth/refresh'));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();

    expect((await refreshed).status()).toBe(200);
    await page.getByRole('table', { name: 'Members' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/members');
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => cookie.name)).toContain('__Host-sw_access');
  });

  it('AUTH-03 signing out everywhere on one device sends the other to sign-in with a message', async () => {
    const { server } = browser;
    const owner = await server.api.newOrganization('everywhere');
    const laptop = await browser.openPage({ label: 'laptop' });
    await signIn(laptop, server, owner.email, owner.password);
    const phone = await browser.openPage({ label: 'phone', viewport: { width: 360, height: 740 } });
    await signIn(phone, server, owner.email, owner.password);

    await phone.goto(server.url('/account'));
    await phone.getByRole('button', { name: 'Sign out everywhere' }).click();
    await phone.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
    await phone.getByRole('heading', { name: 'Sign in to Seatwise' }).waitFor();
    expect(await phone.getByRole('status').first().textContent()).toBe('You have signed out on every device.');

    // The laptop's next request is refused, its refresh too, and it lands on sign-in saying why.
    await laptop.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await laptop.getByRole('heading', { name: 'Sign in to Seatwise' }).waitFor();
    expect(await laptop.getByRole('status').first().textContent()).toBe('Your session has ended. Sign in again to continue.');
    expect(new URL(laptop.url()).searchParams.get('next')).toBe('/members');
  });
});
