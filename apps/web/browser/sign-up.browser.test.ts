import { describe, expect, it } from 'vitest';
import { confirmEmail, newPerson, signIn, signUp, useBrowserTests } from './harness.ts';

describe('signing up, in and out', () => {
  const browser = useBrowserTests();

  it('a new person signs up, confirms the address from the e-mail, signs in and sees their organisation', async () => {
    const { server } = browser;
    const page = await browser.openPage();
    const person = newPerson('founder');

    await signUp(page, server, person);
    expect(await page.getByRole('status').first().textContent()).toContain(person.email);

    await confirmEmail(page, server, person.email);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in to Seatwise' }).waitFor();
    await page.getByLabel('E-mail', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const navigation = page.getByRole('navigation', { name: 'Main' });
    await navigation.waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    const header = page.getByRole('banner');
    expect(await header.getByRole('link', { name: person.name }).isVisible()).toBe(true);
    expect(await header.textContent()).toContain(person.companyName);
    // The Owner of a new organisation is offered every screen, the admin ones included.
    expect(await navigation.getByRole('link').allTextContents()).toEqual(
      expect.arrayContaining(['Overview', 'Upload', 'Agents and API keys', 'Members', 'Audit log']),
    );
    expect(await navigation.getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
  });

  it('a wrong password is answered on the sign-in page, with the e-mail address kept', async () => {
    const { server } = browser;
    const owner = await server.api.newOrganization('owner');
    const page = await browser.openPage();

    await page.goto(server.url('/sign-in'));
    await page.getByLabel('E-mail', { exact: true }).fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(`${owner.password}-not`);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The e-mail address or password is not right.');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.getByLabel('E-mail', { exact: true }).inputValue()).toBe(owner.email);
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  });

  it('signing out lands on the sign-in page, and the signed-in pages stay closed', async () => {
    const { server } = browser;
    const owner = await server.api.newOrganization('owner');
    const page = await browser.openPage();
    await signIn(page, server, owner.email, owner.password);

    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByRole('heading', { name: 'Sign in to Seatwise' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toBe('You have signed out.');
    expect(new URL(page.url()).pathname).toBe('/sign-in');

    await page.goto(server.url('/members'));
    await page.getByRole('heading', { name: 'Sign in to Seatwise' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  });
});
