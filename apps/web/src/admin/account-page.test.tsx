// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountPage } from '../pages/AccountPage.tsx';
import { SessionProvider, sessionFrom } from '../session.tsx';
import { fakeApi, meAs, type Routes } from './fake-api.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

function renderPage(routes: Routes = {}) {
  const api = fakeApi(routes);
  vi.stubGlobal('fetch', api.fetch);
  window.history.replaceState(null, '', '/account');
  render(
    <SessionProvider session={sessionFrom(meAs('hr'), () => undefined)}>
      <AccountPage params={{}} />
    </SessionProvider>,
  );
  return api;
}

describe('the account page', () => {
  it('shows the person and their organisations with their role in each', () => {
    renderPage();
    expect(screen.getByText('ana@example.test')).toBeTruthy();
    const organisations = screen.getByRole('table', { name: 'Your organisations' });
    expect(within(organisations).getByText('Acme')).toBeTruthy();
    expect(within(organisations).getByText('HR')).toBeTruthy();
  });

  it('signs out everywhere after confirmation and lands on sign-in saying so', async () => {
    const api = renderPage({ 'POST /api/auth/sign-out-everywhere': () => ({ body: { ok: true } }) });
    fireEvent.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    const dialog = document.querySelector('dialog[open]') as HTMLDialogElement;
    expect(api.sent).toEqual([]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign out everywhere' }));
    await waitFor(() => expect(window.location.pathname).toBe('/sign-in'));
    expect(api.sent.map((request) => `${request.method} ${request.url}`)).toEqual(['POST /api/auth/sign-out-everywhere']);
    expect(window.history.state).toEqual({ notice: 'You have signed out on every device.' });
  });

  it('a failed sign-out everywhere stays on the page and says why', async () => {
    renderPage({ 'POST /api/auth/sign-out-everywhere': () => ({ status: 503, body: { error: { code: 'unavailable', message: 'Seatwise is busy. Try again in a moment.' } } }) });
    fireEvent.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    const dialog = document.querySelector('dialog[open]') as HTMLDialogElement;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign out everywhere' }));
    expect(await within(dialog).findByText('Seatwise is busy. Try again in a moment.')).toBeTruthy();
    expect(window.location.pathname).toBe('/account');
  });

  it('changes the password: checks the new one first, shows a wrong current password beside its field, keeps what was typed', async () => {
    const api = renderPage({
      'POST /api/auth/change-password': (request) =>
        (request.body as { currentPassword: string }).currentPassword === 'the right one'
          ? { body: { ok: true } }
          : { status: 400, body: { error: { code: 'auth.wrong_password', message: 'The current password is not right.', issues: [{ path: 'body.currentPassword', message: 'is not right' }] } } },
    });
    const form = screen.getByRole('form', { name: 'Change password' });
    fireEvent.change(within(form).getByLabelText('Current password'), { target: { value: 'not it' } });
    fireEvent.change(within(form).getByLabelText('New password'), { target: { value: 'short' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await within(form).findByText(/New password must be at least 12 characters/)).toBeTruthy();
    expect(api.sent).toEqual([]);

    fireEvent.change(within(form).getByLabelText('New password'), { target: { value: 'Quiet-harbour-lanterns-42' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await within(form).findByText('Current password is not right.')).toBeTruthy();
    expect(within(form).getByLabelText('New password')).toHaveProperty('value', 'Quiet-harbour-lanterns-42');

    fireEvent.change(within(form).getByLabelText('Current password'), { target: { value: 'the right one' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText(/Your password has been changed. Every other session of yours has ended/)).toBeTruthy();
    expect(api.sent.at(-1)?.body).toEqual({ currentPassword: 'the right one', newPassword: 'Quiet-harbour-lanterns-42' });
    expect(within(form).getByLabelText('Current password')).toHaveProperty('value', '');
  });
});
