import { MAX_UPLOAD_BYTES, UPLOAD_FILE_NAME_MAX_LENGTH } from '@seatwise/protocol';
import { describe, expect, it } from 'vitest';
import { droppedFile, fileProblem, uploadFileName, type DroppedItem, type FileFacts } from './file-check.ts';

const log = (size: number, name = 'lmgrd.log'): FileFacts => ({ name, size });
const fileItem = (isDirectory: boolean): DroppedItem => ({ kind: 'file', webkitGetAsEntry: () => ({ isDirectory }) });

describe('fileProblem', () => {
  it('takes files up to 2 GiB and refuses larger ones, saying what to do', () => {
    expect(fileProblem(log(MAX_UPLOAD_BYTES))).toBeUndefined();
    expect(fileProblem(log(MAX_UPLOAD_BYTES + 1, 'big.log'))).toBe(
      '"big.log" is 2.1 GB: larger than the 2 GiB Seatwise takes in one upload. Split it and upload the parts.',
    );
  });

  it('refuses an empty file', () => {
    expect(fileProblem(log(0, 'empty.log'))).toMatch(/"empty.log" is empty/);
  });
});

describe('droppedFile', () => {
  it('takes the one file dropped', () => {
    const file = log(100);
    expect(droppedFile({ files: [file], items: [fileItem(false)] })).toEqual({ file });
  });

  it('refuses a folder, several files and a drop without files', () => {
    expect(droppedFile({ files: [log(4096, 'logs')], items: [fileItem(true)] })).toEqual({ problem: '"logs" is a folder. Drop one log file from it.' });
    expect(droppedFile({ files: [log(1), log(2)] })).toEqual({ problem: '2 files were dropped. Drop one log file at a time.' });
    expect(droppedFile({ files: [], items: [{ kind: 'string' }] })).toHaveProperty('problem');
  });

  it('applies the size check to a dropped file', () => {
    expect(droppedFile({ files: [log(MAX_UPLOAD_BYTES + 1)], items: [fileItem(false)] })).toHaveProperty('problem');
  });

  it('works where drops carry no entries', () => {
    const file = log(100);
    expect(droppedFile({ files: [file], items: [{ kind: 'file' }] })).toEqual({ file });
  });
});

describe('uploadFileName', () => {
  it('keeps an ordinary name as it is', () => {
    expect(uploadFileName('lmgrd 2025-03.log')).toBe('lmgrd 2025-03.log');
  });

  it('removes control characters and never leaves the name empty', () => {
    expect(uploadFileName('a\u0000b\tc.log')).toBe('a b c.log');
    expect(uploadFileName('\u0001')).toBe('upload');
  });

  it('cuts a long name to 255 characters without splitting a character in two', () => {
    expect(uploadFileName('x'.repeat(300))).toHaveLength(UPLOAD_FILE_NAME_MAX_LENGTH);
    const cut = uploadFileName(`${'x'.repeat(254)}😀tail`);
    expect(cut).toBe('x'.repeat(254));
    expect(cut.isWellFormed()).toBe(true);
  });

  it('replaces unpaired surrogates, which cannot be stored', () => {
    expect(uploadFileName('a\uD800b.log').isWellFormed()).toBe(true);
  });
});
