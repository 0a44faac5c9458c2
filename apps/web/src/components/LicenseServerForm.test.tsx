// @vitest-environment happy-dom
import type { LicenseServer } from '@seatwise/protocol';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkLicenseServer, LicenseServerForm, licenseServerChanges, licenseServerRequest, licenseServerValues } from './LicenseServerForm.tsx';
import { viewerTimeZone } from './TimeZoneField.tsx';

const stored: LicenseServer = {
  id: '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f',
  name: '27000@flex1',
  host: 'flex1',
  port: 27000,
  timeZone: 'Europe/Madrid',
  createdAt: '2025-03-12T10:00:00.000Z',
};

interface Sent {
  method: string;
  path: string;
  body: unknown;
}

/** Answers the API's requests from a list (at the network edge: the form's own logic is under test). */
function answerWith(...answers: { status: number; body: unknown }[]) {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
    sent.push({ method: init.method ?? 'GET', path, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined });
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request ${init.method} ${path}`);
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  });
  return sent;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('license server values', () => {
  it('needs a name and a real time zone; host and port are optional, the port a whole number from 1 to 65535', () => {
    const valid = { name: 'flex1', host: '', port: '', timeZone: 'Europe/Madrid' };
    expect(Object.values(checkLicenseServer(valid)).filter(Boolean)).toEqual([]);
    expect(checkLicenseServer({ ...valid, name: '   ' }).name).toBe('Name is required.');
    expect(checkLicenseServer({ ...valid, timeZone: '' }).timeZone).toMatch(/Time zone is required/);
    expect(checkLicenseServer({ ...valid, timeZone: 'Mars/Olympus' }).timeZone).toBe('"Mars/Olympus" is not a time zone. Choose one from the list, such as Europe/Madrid.');
    for (const port of ['0', '65536', '27000a', '-1', '2.5']) expect(checkLicenseServer({ ...valid, port }).port).toBeDefined();
    for (const port of ['1', '27000', '65535', ' 5053 ']) expect(checkLicenseServer({ ...valid, port }).port).toBeUndefined();
  });

  it('sends trimmed values, the port as a number or null, and the zone spelled as the database spells it', () => {
    expect(licenseServerRequest({ name: ' flex1 ', host: ' flex1.example.com ', port: '27000', timeZone: 'europe/madrid' })).toEqual({
      name: 'flex1',
      host: 'flex1.example.com',
      port: 27000,
      timeZone: 'Europe/Madrid',
    });
    expect(licenseServerRequest({ name: 'a', host: '', port: '', timeZone: 'UTC' }).port).toBeNull();
  });

  it('an edit sends only what changed', () => {
    expect(licenseServerChanges(stored, { ...licenseServerRequest(licenseServerValues(stored)), port: null, timeZone: 'Europe/Paris' })).toEqual({
      port: null,
      timeZone: 'Europe/Paris',
    });
    expect(licenseServerChanges(stored, licenseServerRequest(licenseServerValues(stored)))).toEqual({});
  });

  it('a new server starts in the viewer’s time zone', () => {
    expect(licenseServerValues().timeZone).toBe(viewerTimeZone());
  });
});

describe('LicenseServerForm', () => {
  it('refuses to send without a name: the error sits beside the field, which takes focus', async () => {
    const sent = answerWith();
    const onSaved = vi.fn();
    render(<LicenseServerForm onSaved={onSaved} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add license server' }));
    expect(await screen.findByText('Name is required.')).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Name')));
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(sent).toEqual([]);
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('adds the server with what was typed and hands back the stored one', async () => {
    const sent = answerWith({ status: 201, body: stored });
    const onSaved = vi.fn();
    render(<LicenseServerForm onSaved={onSaved} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: '27000@flex1' } });
    fireEvent.change(screen.getByLabelText('Host (optional)'), { target: { value: 'flex1' } });
    fireEvent.change(screen.getByLabelText('Port (optional)'), { target: { value: '27000' } });
    fireEvent.change(screen.getByLabelText('Time zone'), { target: { value: 'europe/madrid' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add license server' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(stored));
    expect(sent).toEqual([
      { method: 'POST', path: '/api/license-servers', body: { name: '27000@flex1', host: 'flex1', port: 27000, timeZone: 'Europe/Madrid' } },
    ]);
  });

  it('shows a taken name as the server says it, keeping what was typed', async () => {
    answerWith({ status: 409, body: { error: { code: 'license_server.name_taken', message: 'A license server named "flex1" already exists.' } } });
    render(<LicenseServerForm onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'flex1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add license server' }));
    expect((await screen.findByRole('alert')).textContent).toContain('A license server named "flex1" already exists.');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('flex1');
  });

  it('puts the server’s field issues beside their fields', async () => {
    answerWith({ status: 400, body: { error: { code: 'validation', message: 'Check the fields.', issues: [{ path: 'body.timeZone', message: 'is not a known time zone' }] } } });
    render(<LicenseServerForm onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'flex1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add license server' }));
    expect(await screen.findByText('Time zone is not a known time zone.')).toBeTruthy();
  });

  it('editing sends only the changes, and nothing at all when nothing changed', async () => {
    const sent = answerWith({ status: 200, body: { ...stored, port: null } });
    const onSaved = vi.fn();
    render(<LicenseServerForm server={stored} onSaved={onSaved} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(stored));
    expect(sent).toEqual([]);

    fireEvent.change(screen.getByLabelText('Port (optional)'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledTimes(2));
    expect(sent).toEqual([{ method: 'PATCH', path: `/api/license-servers/${stored.id}`, body: { port: null } }]);
  });
});
