// @vitest-environment happy-dom
import type { AnalyticsSummary, Feature, LicenseServer, MeResponse, Role } from '@seatwise/protocol';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionProvider, sessionFrom } from '../session.tsx';
import { LicenseServersPage, parseSeatsOwned, serverAddress } from './LicenseServersPage.tsx';

const server: LicenseServer = {
  id: '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f',
  name: '27000@flex1',
  host: 'flex1',
  port: 27000,
  timeZone: 'Europe/Madrid',
  createdAt: '2025-03-12T10:00:00.000Z',
};
const matlab: Feature = { id: '11111111-2222-4333-8444-555555555555', vendor: 'MLM', name: 'MATLAB', seatsOwned: 40, createdAt: server.createdAt };
const simulink: Feature = { id: '66666666-7777-4888-8999-aaaaaaaaaaaa', vendor: 'MLM', name: 'SIMULINK', seatsOwned: null, createdAt: server.createdAt };

function summary(): AnalyticsSummary {
  const base = { maxDailyUsers: 0, averageDailyUsers: 0, seatHours: 0, retriedDenials: 0, averageInUse: 0, peakAt: null };
  return {
    from: '2025-02-11',
    to: '2025-03-12',
    licenseServerId: null,
    days: 30,
    features: [
      { ...base, featureId: matlab.id, vendor: 'MLM', name: 'MATLAB', seatsOwned: 40, peak: 34, denials: 3, utilisation: { peak: 0.85, average: 0.4 }, unusedSeats: 6 },
      { ...base, featureId: simulink.id, vendor: 'MLM', name: 'SIMULINK', seatsOwned: null, peak: 2, denials: 0, utilisation: null, unusedSeats: null },
    ],
  };
}

interface Sent {
  method: string;
  path: string;
  body: unknown;
}

/** The API at the network edge: the page's own logic (what it offers, what it sends) is under test. */
function serveApi(data: { servers: LicenseServer[]; features: Feature[] }) {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    sent.push({ method, path, body });
    const json = (status: number, value: unknown) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
    if (path === '/api/license-servers') return json(200, { licenseServers: data.servers });
    if (path === '/api/features') return json(200, { features: data.features });
    if (path.startsWith('/api/usage/summary?')) return json(200, summary());
    const feature = data.features.find((candidate) => path === `/api/features/${candidate.id}`);
    if (feature && method === 'PATCH') return json(200, { ...feature, ...(body as object) });
    return json(404, { error: { code: 'not_found', message: 'Not found.' } });
  });
  return sent;
}

function renderAs(role: Role) {
  const me: MeResponse = {
    user: { id: '99999999-8888-4777-8666-555555555555', name: 'Ada', email: 'ada@example.com' },
    orgId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    role,
    memberships: [{ orgId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', orgName: 'Acme', role }],
  } as MeResponse;
  return render(
    <SessionProvider session={sessionFrom(me, () => undefined)}>
      <LicenseServersPage params={{}} />
    </SessionProvider>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('parseSeatsOwned', () => {
  it('empty means not entered; otherwise a whole number from 0 to 10,000,000', () => {
    expect(parseSeatsOwned('  ')).toEqual({ seats: null });
    expect(parseSeatsOwned('0')).toEqual({ seats: 0 });
    expect(parseSeatsOwned(' 40 ')).toEqual({ seats: 40 });
    expect(parseSeatsOwned('10000000')).toEqual({ seats: 10_000_000 });
    for (const text of ['10000001', '-1', '2.5', 'forty', '1e3']) expect(parseSeatsOwned(text)).toHaveProperty('problem');
  });
});

describe('serverAddress', () => {
  it('host:port, or what there is of it', () => {
    expect(serverAddress({ host: 'flex1', port: 27000 })).toBe('flex1:27000');
    expect(serverAddress({ host: 'flex1', port: null })).toBe('flex1');
    expect(serverAddress({ host: '', port: 5053 })).toBe('port 5053');
    expect(serverAddress({ host: '', port: null })).toBe('—');
  });
});

describe('LicenseServersPage', () => {
  it('shows servers and features with this period’s usage; a Viewer gets no controls to change them', async () => {
    serveApi({ servers: [server], features: [matlab, simulink] });
    renderAs('viewer');
    const link = await screen.findByRole('link', { name: 'MATLAB' });
    expect(link.getAttribute('href')).toBe(`/features/${matlab.id}`);
    const row = link.closest('tr') as HTMLElement;
    await waitFor(() => expect(within(row).getByText('85 %')).toBeTruthy());
    expect(within(row).getByText('40 seats')).toBeTruthy();
    expect(within(row).getByText('34 seats')).toBeTruthy();
    expect(within(row).getByText('3 denials')).toBeTruthy();
    expect(within(screen.getByRole('link', { name: 'SIMULINK' }).closest('tr') as HTMLElement).getByText('Not entered')).toBeTruthy();
    expect(screen.getByText('flex1:27000')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /New license server/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Edit/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Save/ })).toBeNull();
  });

  it('an Admin edits seats owned in the row: empty clears them, a bad number is refused before sending', async () => {
    const sent = serveApi({ servers: [server], features: [matlab, simulink] });
    renderAs('admin');
    const seats = (await screen.findByLabelText('Seats owned of MATLAB (MLM)')) as HTMLInputElement;
    expect(seats.value).toBe('40');

    fireEvent.change(seats, { target: { value: 'forty' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save seats owned of MATLAB' }));
    expect(await screen.findByText(/Enter a whole number of seats/)).toBeTruthy();
    expect(seats.getAttribute('aria-invalid')).toBe('true');
    expect(sent.filter((request) => request.method === 'PATCH')).toEqual([]);

    fireEvent.change(seats, { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save seats owned of MATLAB' }));
    await waitFor(() => expect(sent.filter((request) => request.method === 'PATCH')).toEqual([{ method: 'PATCH', path: `/api/features/${matlab.id}`, body: { seatsOwned: null } }]));
    expect(await screen.findByText('Saved')).toBeTruthy();
  });

  it('with nothing yet, says to upload a log or connect an agent, linking only what the role may do', async () => {
    serveApi({ servers: [], features: [] });
    renderAs('admin');
    expect(await screen.findByRole('heading', { name: 'No usage yet' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Upload a log' }).getAttribute('href')).toBe('/upload');
    expect(screen.getByRole('link', { name: 'Connect an agent' }).getAttribute('href')).toBe('/api-keys');
    cleanup();

    serveApi({ servers: [], features: [] });
    renderAs('viewer');
    expect(await screen.findByRole('heading', { name: 'No usage yet' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Upload a log' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Connect an agent' })).toBeNull();
  });

  it('adds a server in a modal dialog that gives focus back to its button when closed', async () => {
    serveApi({ servers: [server], features: [matlab] });
    renderAs('owner');
    const opener = await screen.findByRole('button', { name: 'New license server…' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = document.querySelector('dialog') as HTMLDialogElement;
    await waitFor(() => expect(dialog.open).toBe(true));
    expect(within(dialog).getByRole('button', { name: 'Add license server' })).toBeTruthy();
    within(dialog).getByLabelText('Name').focus();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(dialog.open).toBe(false));
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });
});
