// @vitest-environment happy-dom
import type { ApiKey } from '@seatwise/protocol';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiKeysPage } from '../pages/ApiKeysPage.tsx';
import { SessionProvider, sessionFrom } from '../session.tsx';
import { AGENT_KEY_FILE } from './agent-config.ts';
import { fakeApi, meAs, type Routes } from './fake-api.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const PLAIN_KEY = 'swk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde';

function apiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    name: 'Agent on flex1',
    prefix: 'swk_AbCdEfGh',
    scopes: ['ingest'],
    createdBy: { userId: 'c3d1a4f0-0000-4000-8000-000000000001', name: 'Ana Test' },
    createdAt: '2025-03-01T10:00:00Z',
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

function renderPage(routes: Routes) {
  const api = fakeApi(routes);
  vi.stubGlobal('fetch', api.fetch);
  render(
    <SessionProvider session={sessionFrom(meAs('admin'), () => undefined)}>
      <ApiKeysPage params={{}} />
    </SessionProvider>,
  );
  return api;
}

describe('creating a key', () => {
  it('needs at least one scope, and sends nothing until one is chosen', async () => {
    const api = renderPage({
      'GET /api/api-keys': () => ({ body: { apiKeys: [] } }),
      'POST /api/api-keys': (request) => {
        const { name, scopes } = request.body as { name: string; scopes: ApiKey['scopes'] };
        return { status: 201, body: { key: PLAIN_KEY, apiKey: apiKey({ name, scopes }) } };
      },
    });
    await screen.findByText(/No API keys yet/);
    fireEvent.change(screen.getByLabelText('Key name'), { target: { value: '  Nightly report  ' } });
    const ingest = screen.getByRole('checkbox', { name: /ingest/ });
    expect(ingest).toHaveProperty('checked', true);
    fireEvent.click(ingest);
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText(/Choose at least one scope/)).toBeTruthy();
    expect(api.sent.filter((request) => request.method === 'POST')).toEqual([]);

    fireEvent.click(screen.getByRole('checkbox', { name: /read/ }));
    expect(screen.queryByText(/Choose at least one scope/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    const shown = await screen.findByLabelText('New API key');
    expect(api.sent.filter((request) => request.method === 'POST').map((request) => request.body)).toEqual([{ name: 'Nightly report', scopes: ['read'] }]);
    expect(shown).toHaveProperty('value', PLAIN_KEY);
    expect(shown).toHaveProperty('readOnly', true);
    expect(screen.getByRole('heading', { name: /Copy this key now — it will not be shown again/ })).toBeTruthy();
    // A read-only key is for scripts: no agent set-up is offered.
    expect(screen.queryByText(/Connect the on-prem agent/)).toBeNull();
    // The new key is listed at once, and the form comes back once the key is put away.
    expect(within(screen.getByRole('table', { name: 'API keys' })).getByText('Nightly report')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'I have stored the key' }));
    expect(screen.queryByLabelText('New API key')).toBeNull();
    expect(screen.queryByText(PLAIN_KEY)).toBeNull();
    expect(screen.getByRole('button', { name: 'Create key' })).toBeTruthy();
  });

  it('an ingest key comes with the agent set-up for this server, the key kept in a file', async () => {
    renderPage({
      'GET /api/api-keys': () => ({ body: { apiKeys: [] } }),
      'POST /api/api-keys': () => ({ status: 201, body: { key: PLAIN_KEY, apiKey: apiKey() } }),
    });
    fireEvent.change(await screen.findByLabelText('Key name'), { target: { value: 'Agent on flex1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    await screen.findByLabelText('New API key');
    const commands = document.getElementById('agent-key-commands')?.textContent ?? '';
    expect(commands).toContain(`echo '${PLAIN_KEY}' > ${AGENT_KEY_FILE}`);
    const config = document.getElementById('agent-config')?.textContent ?? '';
    expect(config).toContain(`"serverUrl": "${window.location.origin}"`);
    expect(config).toContain(`"apiKeyFile": "${AGENT_KEY_FILE}"`);
    // The key itself stays out of the configuration file.
    expect(config).not.toContain(PLAIN_KEY);
    expect(screen.getByRole('button', { name: 'Copy configuration' })).toBeTruthy();
  });

  it('shows the server’s field message beside the field and keeps what was typed', async () => {
    renderPage({
      'GET /api/api-keys': () => ({ body: { apiKeys: [] } }),
      'POST /api/api-keys': () => ({
        status: 400,
        body: { error: { code: 'validation_failed', message: 'The request is not valid.', issues: [{ path: 'body.name', message: 'must not contain control characters' }] } },
      }),
    });
    const name = await screen.findByLabelText('Key name');
    fireEvent.change(name, { target: { value: 'Agent\u0007' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByText('Key name must not contain control characters.')).toBeTruthy();
    expect(screen.getByLabelText('Key name')).toHaveProperty('value', 'Agent\u0007');
  });
});

describe('revoking a key', () => {
  it('asks first, naming the key; afterwards the row shows it revoked and offers nothing more', async () => {
    const api = renderPage({
      'GET /api/api-keys': () => ({ body: { apiKeys: [apiKey(), apiKey({ id: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'Reports', scopes: ['read'] })] } }),
      'DELETE /api/api-keys/a1b2c3d4-0000-4000-8000-000000000001': () => ({ body: apiKey({ revokedAt: '2025-03-02T09:00:00Z' }) }),
    });
    const revoke = await screen.findByRole('button', { name: 'Revoke Agent on flex1' });
    revoke.focus();
    fireEvent.click(revoke);
    const dialog = document.querySelector('dialog[open]') as HTMLDialogElement;
    expect(dialog).not.toBeNull();
    expect(within(dialog).getByRole('heading').textContent).toBe('Revoke “Agent on flex1”?');
    expect(document.activeElement?.textContent).toBe('Cancel');
    expect(api.sent.some((request) => request.method === 'DELETE')).toBe(false);

    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(dialog.open).toBe(false));
    const row = screen.getByRole('row', { name: /Agent on flex1/ });
    expect(within(row).getByText(/Revoked on/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Revoke Agent on flex1' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Revoke Reports' })).toBeTruthy();
    expect(screen.getByText(/“Agent on flex1” is revoked/)).toBeTruthy();
    // The button that opened the dialog is gone: focus lands on the list's heading, not on the page's end.
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Keys'));
  });
});
