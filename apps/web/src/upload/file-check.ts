/**
 * Checks on a chosen or dropped file before anything is sent, so a folder or a file the server would refuse
 * for its size is caught at once, with a message saying what to do instead.
 */
import { MAX_UPLOAD_BYTES, UPLOAD_FILE_NAME_MAX_LENGTH } from '@seatwise/protocol';
import { formatBytes } from '../format.ts';


/** What the checks need to know of a file (a File has both). */
export interface FileFacts {
  name: string;
  size: number;
}

/** One item of a drop, as DataTransferItem describes it. */
export interface DroppedItem {
  kind: string;
  webkitGetAsEntry?: () => { isDirectory: boolean } | null;
}

/** Why the file cannot be uploaded, or undefined when it can be sent. */
export function fileProblem(file: FileFacts): string | undefined {
  if (file.size > MAX_UPLOAD_BYTES) {
    return `"${file.name}" is ${formatBytes(file.size)}: larger than the 2 GiB Seatwise takes in one upload. Split it and upload the parts.`;
  }
  if (file.size === 0) return `"${file.name}" is empty. Choose the log file itself.`;
  return undefined;
}

/** The one file of a drop, or why the drop cannot be used (nothing, several files, a folder, a file too large). */
export function droppedFile<F extends FileFacts>(data: { files: ArrayLike<F>; items?: ArrayLike<DroppedItem> }): { file: F } | { problem: string } {
  if (data.files.length === 0) return { problem: 'Nothing to upload was dropped. Drop a log file from your computer.' };
  if (data.files.length > 1) return { problem: `${data.files.length} files were dropped. Drop one log file at a time.` };
  const file = data.files[0] as F;
  // A folder arrives as a file-like item; only its entry tells it apart.
  const fileItem = Array.from(data.items ?? []).find((item) => item.kind === 'file');
  if (fileItem?.webkitGetAsEntry?.()?.isDirectory) return { problem: `"${file.name}" is a folder. Drop one log file from it.` };
  const problem = fileProblem(file);
  return problem ? { problem } : { file };
}

/**
 * The file name sent with an upload: the server takes at most 255 characters of plain text, so control
 * characters go, unpaired surrogates are replaced and a long name is cut (never inside a character).
 */
export function uploadFileName(name: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const plain = name.replace(/[\u0000-\u001F\u007F]/g, ' ').toWellFormed().trim();
  let cut = plain.slice(0, UPLOAD_FILE_NAME_MAX_LENGTH);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.trim() || 'upload';
}
