// @vitest-environment happy-dom
import { MAX_UPLOAD_BYTES, type LicenseServer, type MeResponse, type Upload } from '@seatwise/protocol';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionProvider, sessionFrom } from '../session.tsx';
import { startLoopbackServer, type Exchange, type LoopbackServer } from '../upload/loopback-server.ts';
import { TEST_UPLOAD_ID, testUpload } from '../upload/test-upload.ts';
import { UploadPage } from './UploadPage.tsx';

const flex1: LicenseServer = {
  id: '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f',
  name: '27000@flex1',
  host: 'flex1',
  port: 27000,
  timeZone: 'Europe/Madrid',
  createdAt: '2025-03-12T10:00:00.000Z',
};
const rlm1: LicenseServer = { ...flex1, id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', name: '5053@rlm1', timeZone: 'America/New_York' };
const UPLOAD_ID = TEST_UPLOAD_ID;

const upload = (change: Partial<Upload> = {}): Upload => testUpload(rlm1.id, 'isv.log', change);

let server: LoopbackServer | undefined;

afterEach(async () => {
  cleanup();
  await server?.close();
  server = undefined;
});

/** Seatwise's upload routes as they answer; `put` decides how the file is taken. */
async function serveApi(put: (exchange: Exchange) => void | Promise<void>): Promise<LoopbackServer> {
  return startLoopbackServer(async (exchange) => {
    if (exchange.method === 'GET' && exchange.path === '/api/license-servers') return exchange.json(200, { licenseServers: [flex1, rlm1] });
    if (exchange.method === 'GET' && exchange.path === '/api/uploads') return exchange.json(200, { uploads: [] });
    if (exchange.method === 'POST' && exchange.path === '/api/uploads') {
      const body = JSON.parse(await exchange.text()) as { fileName: string; startDate: string | null };
      return exchange.json(201, upload({ fileName: body.fileName, startDate: body.startDate }));
    }
    if (exchange.method === 'GET' && exchange.path === `/api/uploads/${UPLOAD_ID}`) return exchange.json(200, upload());
    if (exchange.method === 'PUT' && exchange.path === `/api/uploads/${UPLOAD_ID}/content`) return put(exchange);
    exchange.json(404, { error: { code: 'not_found', message: 'Not found.' } });
  });
}

function renderPage() {
  const me = {
    user: { id: '99999999-8888-4777-8666-555555555555', name: 'Ada', email: 'ada@example.com' },
    orgId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    role: 'admin',
    memberships: [{ orgId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', orgName: 'Acme', role: 'admin' }],
  } as MeResponse;
  return render(
    <SessionProvider session={sessionFrom(me, () => undefined)}>
      <UploadPage params={{}} />
    </SessionProvider>,
  );
}

const posts = (from: LoopbackServer) => from.exchanges.filter((exchange) => exchange.method !== 'GET');

async function chooseServer(target: LicenseServer) {
  const select = (await screen.findByLabelText('License server')) as HTMLSelectElement;
  await waitFor(() => expect(within(select).getByRole('option', { name: `${target.name} (${target.timeZone})` })).toBeTruthy());
  fireEvent.change(select, { target: { value: target.id } });
  return select;
}

describe('UploadPage', () => {
  it('refuses a file over 2 GiB before sending anything, saying what to do', async () => {
    server = await serveApi((exchange) => exchange.json(500, {}));
    renderPage();
    await chooseServer(flex1);
    const huge = new File(['x'], 'year.log');
    Object.defineProperty(huge, 'size', { value: MAX_UPLOAD_BYTES + 1 });
    fireEvent.change(screen.getByLabelText('Log file'), { target: { files: [huge] } });
    expect((await screen.findByRole('alert')).textContent).toContain('"year.log" is 2.1 GB: larger than the 2 GiB Seatwise takes in one upload.');

    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Log file')));
    expect(posts(server)).toEqual([]);
  });

  it('refuses a dropped folder', async () => {
    server = await serveApi((exchange) => exchange.json(500, {}));
    renderPage();
    await chooseServer(flex1);
    const folder = new File([], 'logs');
    const zone = screen.getByText(/Drop a log file here/).closest('.drop-zone') as HTMLElement;
    fireEvent.drop(zone, { dataTransfer: { files: [folder], items: [{ kind: 'file', webkitGetAsEntry: () => ({ isDirectory: true }) }], types: ['Files'] } });
    expect((await screen.findByRole('alert')).textContent).toContain('"logs" is a folder. Drop one log file from it.');
  });

  it('shows a refused file’s reason from the server and keeps the server, file and date chosen', async () => {
    server = await serveApi(async (exchange) => {
      await exchange.body();
      exchange.json(422, { error: { code: 'upload.unrecognised_format', message: 'This file is not license-daemon output Seatwise can read. Expected one of: …' } });
    });
    renderPage();
    const select = await chooseServer(rlm1);
    fireEvent.change(screen.getByLabelText('Log file'), { target: { files: [new File(['\u0000\u0001\u0002'], 'report.bin')] } });
    fireEvent.change(screen.getByLabelText('Start date (optional)'), { target: { value: '2025-03-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));

    const alert = await screen.findByRole('alert', {}, { timeout: 5000 });
    expect(alert.textContent).toContain('This file is not license-daemon output Seatwise can read. Expected one of: …');
    expect(select.value).toBe(rlm1.id);
    expect(new URLSearchParams(window.location.search).get('server')).toBe(rlm1.id);
    expect((screen.getByLabelText('Start date (optional)') as HTMLInputElement).value).toBe('2025-03-01');
    expect(screen.getByText('report.bin')).toBeTruthy();
    const created = posts(server).find((exchange) => exchange.method === 'POST');
    expect(JSON.parse(await (created as Exchange).text())).toEqual({ licenseServerId: rlm1.id, fileName: 'report.bin', startDate: '2025-03-01' });
  });

  it('sends the file and shows the result with its diagnostics and how many more there are', async () => {
    let received = '';
    server = await serveApi(async (exchange) => {
      received = await exchange.text();
      exchange.json(
        200,
        upload({
          status: 'done',
          format: 'rlm-debug',
          bytesDone: received.length,
          linesDone: 120,
          events: 40,
          sessions: 18,
          denials: 2,
          firstEventAt: '2025-03-01T08:00:00.000Z',
          lastEventAt: '2025-03-01T18:00:00.000Z',
          diagnostics: [
            { line: 7, reason: 'unknown event word "FOO"' },
            { line: 19, reason: 'time goes backwards' },
          ],
          diagnosticsTotal: 5,
          finishedAt: '2025-03-12T10:00:05.000Z',
        }),
      );
    });
    renderPage();
    await chooseServer(rlm1);
    fireEvent.change(screen.getByLabelText('Log file'), { target: { files: [new File(['03/01 08:00 (isv) OUT: a\n'], 'isv.log')] } });
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));

    const heading = await screen.findByRole('heading', { name: 'Upload result' }, { timeout: 5000 });
    expect(received).toBe('03/01 08:00 (isv) OUT: a\n');
    const result = heading.closest('section') as HTMLElement;
    expect(within(result).getByText('RLM debug log')).toBeTruthy();
    const diagnostics = within(result).getByRole('table', { name: 'Diagnostics' });
    expect(within(diagnostics).getByRole('rowheader', { name: '19' })).toBeTruthy();
    expect(within(diagnostics).getByText('time goes backwards')).toBeTruthy();
    expect(within(result).getByText(/3 more diagnostics not shown/)).toBeTruthy();
    const period = within(result).getAllByText((_, element) => element?.tagName === 'TIME');
    expect(period[0]?.getAttribute('title')).toContain('(America/New_York)');
  });
});
