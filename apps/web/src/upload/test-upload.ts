// For tests only: upload records as the API returns them.
import type { Upload } from '@seatwise/protocol';

export const TEST_UPLOAD_ID = '7b4c1c1e-1b0a-4d8e-9a53-0d6f1c2b3a4d';

/** An upload of `licenseServerId` named `fileName`, still waiting; `change` sets the fields a test needs. */
export function testUpload(licenseServerId: string, fileName: string, change: Partial<Upload> = {}): Upload {
  return {
    id: TEST_UPLOAD_ID,
    licenseServerId,
    fileName,
    status: 'waiting',
    phase: null,
    format: null,
    sha256: null,
    duplicateOf: null,
    startDate: null,
    bytesDone: 0,
    linesDone: 0,
    events: 0,
    sessions: 0,
    denials: 0,
    snapshots: 0,
    firstEventAt: null,
    lastEventAt: null,
    diagnostics: [],
    diagnosticsTotal: 0,
    error: null,
    createdAt: '2025-03-12T10:00:00.000Z',
    finishedAt: null,
    ...change,
  };
}
