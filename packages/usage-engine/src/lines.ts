/**
 * A streaming line splitter: chunks of bytes (UTF-8) or text in, numbered lines out. Handles a byte-order
 * mark, LF, CRLF and lone CR line ends, a line (or a UTF-8 sequence) cut between two chunks, and lines too
 * long to be log lines (cut with a diagnostic, so memory stays bounded whatever the input).
 *
 * Speed (on Node): a chunk is read in blocks of about 16 KB that end on a line break; each block is copied
 * out as Latin-1 text (one byte, one character, several GB/s) only to find line ends with native searches.
 * A target that reads bytes (`lineBytes`, as the FlexLM parser does) then gets every line as a range of the
 * input, with the block's Latin-1 text for native searches: no string is made per line and nothing is
 * decoded that the target does not need. A target that takes text
 * gets slices of the block for ASCII lines, and a fresh UTF-8 decoding only for a line holding a byte ≥ 0x80
 * (a few names with accents would otherwise send whole chunks down V8's slow UTF-8 path); a line that is not
 * valid UTF-8 (a Windows server writing in its ANSI code page) is read as Latin-1 rather than filled with
 * replacement characters. A kept slice pins at most its 16 KB block, never a whole chunk. Without Node's
 * Buffer, a streaming TextDecoder does the work.
 */
import type { Diagnostic } from './types.ts';

/** Default cap on one line's length (characters for text input, bytes for byte input). */
export const DEFAULT_MAX_LINE_LENGTH = 65_536;

/** Where the splitter sends its lines (a LineParser fits). */
export interface LineTarget {
  line(text: string, lineNumber: number): void;
  /**
   * When present, byte input goes here instead: the line as UTF-8 bytes [start, end) of `bytes`, valid only
   * during the call. Saves decoding lines the target reads as bytes anyway. When given, `text` holds the
   * same bytes as Latin-1 (one character per byte) from byte `textStart` on, at least to `end`, so that
   * the target can search the line with native string searches (it may hold later lines too).
   */
  lineBytes?(bytes: Uint8Array, start: number, end: number, lineNumber: number, text?: string, textStart?: number): void;
}

export interface LineSplitterOptions {
  /** Longer lines are cut to this length and reported once. Default 65 536. */
  maxLineLength?: number;
  /** Receives "line too long" reports. */
  diagnostic?: (diagnostic: Diagnostic) => void;
  /** The number of the first line (default 1): a reader resuming partway through a file numbers on from there. */
  firstLineNumber?: number;
}

/** Feed it chunks in order, then end it. It keeps no reference to a chunk once `push` returns. */
export interface LineSplitter {
  push(chunk: Uint8Array | string): void;
  /** Flushes the last line when the input does not end with a line break. */
  end(): void;
  /** Lines emitted so far (by this splitter, whatever number it started from). */
  readonly lineCount: number;
}

const LF = 10;
const CR = 13;
/** Bytes per block copied out of a chunk (see above). */
const BLOCK_BYTES = 16_384;
/** Any character outside ASCII, in a string read as Latin-1 (so: any byte ≥ 0x80). */
const HIGH = /[\u0080-\u00ff]/g;
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
/** Node's SIMD ASCII check (node:buffer isAscii, through getBuiltinModule so that nothing is imported). */
const isAscii = (
  globalThis as { process?: { getBuiltinModule?: (name: string) => { isAscii?: (input: Uint8Array) => boolean } | undefined } }
).process?.getBuiltinModule?.('node:buffer')?.isAscii;
const REPLACEMENT = '\ufffd';

/** Creates a splitter that calls `target.line(text, lineNumber)` for every line, numbered from 1. */
export function createLineSplitter(target: LineTarget, options: LineSplitterOptions = {}): LineSplitter {
  const maxLength = Math.max(1, Math.floor(options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH));
  const report = options.diagnostic;

  const firstLine = Math.floor(options.firstLineNumber ?? 1);
  if (!Number.isSafeInteger(firstLine) || firstLine < 1) {
    throw new RangeError(`firstLineNumber must be a whole number ≥ 1, got ${String(options.firstLineNumber)}`);
  }
  let lineNumber = firstLine - 1;
  /** Text of the current line carried over from earlier text chunks. */
  let carry = '';
  /** Bytes of the current line carried over from earlier byte chunks. */
  let carryBytes: Uint8Array[] = [];
  let carryByteLength = 0;
  /** The current line was cut: drop everything up to its end. */
  let cutting = false;
  /** What the cap counted for the line being cut. */
  let cutUnit: 'characters' | 'bytes' = 'characters';
  /** The previous chunk ended with CR: a LF starting the next chunk belongs to it. */
  let skipLF = false;
  let atStart = true;
  /** Streaming decoder, used only without Node's Buffer. */
  let decoder: InstanceType<typeof TextDecoder> | null = null;

  function emit(text: string): void {
    lineNumber++;
    if (cutting) reportCut();
    target.line(text, lineNumber);
  }

  function emitBytes(source: Uint8Array, start: number, end: number, text?: string, textStart?: number): void {
    lineNumber++;
    if (cutting) reportCut();
    (target.lineBytes as NonNullable<LineTarget['lineBytes']>).call(target, source, start, end, lineNumber, text, textStart);
  }

  function reportCut(): void {
    cutting = false;
    report?.({ line: lineNumber, reason: `line longer than ${maxLength} ${cutUnit}; the rest was ignored` });
  }

  // ---- text --------------------------------------------------------------------------------------

  function keepText(piece: string): void {
    if (cutting || piece.length === 0) return;
    if (carry.length + piece.length > maxLength) {
      carry = carry + piece.slice(0, maxLength - carry.length);
      cutting = true;
      cutUnit = 'characters';
    } else {
      carry = carry.length === 0 ? piece : carry + piece;
    }
  }

  function finishText(text: string, start: number, end: number): void {
    if (carry.length === 0 && !cutting) {
      if (end - start > maxLength) {
        cutting = true;
        cutUnit = 'characters';
        emit(text.slice(start, start + maxLength));
      } else {
        emit(text.slice(start, end));
      }
      return;
    }
    keepText(text.slice(start, end));
    const line = carry;
    carry = '';
    emit(line);
  }

  function pushText(text: string): void {
    let pos = 0;
    if (atStart && text.length > 0) {
      atStart = false;
      if (text.charCodeAt(0) === 0xfeff) pos = 1;
    }
    pos = splitLines(text, pos, finishText);
    if (pos < text.length) keepText(pos === 0 ? text : text.slice(pos));
  }

  /**
   * Calls `finish(text, start, end)` for every complete line of `text` from `pos`; returns where the
   * unfinished last line starts. Shared by text and bytes (bytes are scanned as a Latin-1 string).
   */
  function splitLines(text: string, pos: number, finish: (text: string, start: number, end: number) => void): number {
    const length = text.length;
    if (skipLF && pos < length) {
      skipLF = false;
      if (text.charCodeAt(pos) === LF) pos++;
    }
    let nextCR = text.indexOf('\r', pos);
    if (nextCR === -1) {
      // LF only: the common case.
      let nl = text.indexOf('\n', pos);
      while (nl !== -1) {
        finish(text, pos, nl);
        pos = nl + 1;
        nl = text.indexOf('\n', pos);
      }
      return pos;
    }
    let nextLF = text.indexOf('\n', pos);
    for (;;) {
      if (nextLF !== -1 && nextLF < pos) nextLF = text.indexOf('\n', pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = text.indexOf('\r', pos);
      let end: number;
      if (nextCR === -1) {
        if (nextLF === -1) break;
        end = nextLF;
      } else if (nextLF === -1 || nextCR < nextLF) {
        end = nextCR;
      } else {
        end = nextLF;
      }
      finish(text, pos, end);
      pos = end + 1;
      if (text.charCodeAt(end) === CR) {
        if (pos < length) {
          if (text.charCodeAt(pos) === LF) pos++;
        } else {
          skipLF = true;
        }
      }
    }
    return pos;
  }

  // ---- bytes (Node) ------------------------------------------------------------------------------

  let bytes: Buffer | null = null;
  /** Where the current block starts in `bytes`. */
  let blockStart = 0;
  /** Index of the next character ≥ 0x80 in the current block's Latin-1 text (Infinity: none left). */
  let nextHigh = Infinity;

  /** Line [start, end) of the current block: Latin-1 is exact for an ASCII-only line. */
  function decodeLine(text: string, start: number, end: number): string {
    if (nextHigh >= end) return text.slice(start, end);
    const line = decodeUtf8(bytes as Buffer, blockStart + start, blockStart + end);
    nextHigh = findHigh(text, end);
    return line;
  }

  function finishBytes(text: string, start: number, end: number): void {
    const byteTarget = target.lineBytes !== undefined;
    if (carryByteLength === 0 && !cutting) {
      if (end - start > maxLength) {
        cutting = true;
        cutUnit = 'bytes';
        end = start + maxLength;
      }
      if (byteTarget) emitBytes(bytes as Buffer, blockStart + start, blockStart + end, text, blockStart);
      else emit(decodeLine(text, start, end));
      return;
    }
    keepBytes(blockStart + start, blockStart + end);
    const joined = takeCarriedBytes();
    if (byteTarget) emitBytes(joined, 0, joined.length);
    else emit(decodeUtf8(joined, 0, joined.length));
  }

  function keepBytes(start: number, end: number): void {
    if (cutting || end <= start) return;
    if (carryByteLength + (end - start) > maxLength) {
      end = start + (maxLength - carryByteLength);
      cutting = true;
      cutUnit = 'bytes';
    }
    // A copy: the caller may reuse its buffer once push returns.
    carryBytes.push(new Uint8Array((bytes as Buffer).subarray(start, end)));
    carryByteLength += end - start;
  }

  function takeCarriedBytes(): Buffer {
    const joined = (NodeBuffer as typeof Buffer).concat(carryBytes, carryByteLength);
    carryBytes = [];
    carryByteLength = 0;
    return joined;
  }

  function pushNodeBytes(chunk: Uint8Array): void {
    const buffer = NodeBuffer as typeof Buffer;
    let data = buffer.isBuffer(chunk) ? chunk : buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    bytes = data;
    let pos = 0;
    if (atStart) {
      if (carryByteLength > 0) {
        // The stream so far was too short to tell whether it starts with a BOM.
        keepBytes(0, data.length);
        data = buffer.concat(carryBytes, carryByteLength);
        bytes = data;
        carryBytes = [];
        carryByteLength = 0;
      }
      if (data.length < 3 && isBomStart(data)) {
        keepBytes(0, data.length);
        bytes = null;
        return;
      }
      atStart = false;
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) pos = 3;
    }
    const length = data.length;
    while (pos < length) {
      // A block ends after the last line break within BLOCK_BYTES (or after the next one, for a long line).
      let end = length;
      if (pos + BLOCK_BYTES < length) {
        // Searched within the window only: a search from an offset runs back to the start of the chunk.
        const window = data.subarray(pos, pos + BLOCK_BYTES);
        const lastBreak = Math.max(window.lastIndexOf(LF), window.lastIndexOf(CR));
        if (lastBreak >= 0) {
          end = pos + lastBreak + 1;
        } else {
          const nextLF = data.indexOf(LF, pos + BLOCK_BYTES);
          const nextCR = data.indexOf(CR, pos + BLOCK_BYTES);
          const next = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
          if (next !== -1) end = next + 1;
        }
      }
      blockStart = pos;
      const text = latin1(data, pos, end);
      const byteTarget = target.lineBytes !== undefined;
      nextHigh = byteTarget || (isAscii !== undefined && isAscii(data.subarray(pos, end))) ? Infinity : findHigh(text, 0);
      let rest = 0;
      if (skipLF || carryByteLength > 0 || cutting || text.indexOf('\r') !== -1) {
        rest = splitLines(text, 0, finishBytes);
      } else if (byteTarget) {
        // The common cases, kept tight: LF line ends, nothing carried over.
        let nl = text.indexOf('\n');
        while (nl !== -1) {
          if (nl - rest > maxLength) finishBytes(text, rest, nl);
          else (target.lineBytes as NonNullable<LineTarget['lineBytes']>).call(target, data, pos + rest, pos + nl, ++lineNumber, text, pos);
          rest = nl + 1;
          nl = text.indexOf('\n', rest);
        }
      } else {
        let nl = text.indexOf('\n');
        while (nl !== -1) {
          if (nl - rest > maxLength || nextHigh < nl) finishBytes(text, rest, nl);
          else target.line(text.slice(rest, nl), ++lineNumber);
          rest = nl + 1;
          nl = text.indexOf('\n', rest);
        }
      }
      if (rest < text.length) keepBytes(pos + rest, end);
      pos = end;
    }
    bytes = null;
  }

  // ---- bytes (no Node Buffer) --------------------------------------------------------------------

  function pushDecodedBytes(chunk: Uint8Array, final: boolean): void {
    decoder ??= new TextDecoder('utf-8', { ignoreBOM: false });
    const text = decoder.decode(chunk, { stream: !final });
    atStart = false; // TextDecoder removes the BOM itself.
    if (text.length > 0) pushText(text);
  }

  return {
    push(chunk: Uint8Array | string): void {
      if (typeof chunk === 'string') {
        if (carryByteLength > 0) {
          // Already capped as bytes: joined as it is, even while cutting.
          const joined = takeCarriedBytes();
          carry += decodeUtf8(joined, 0, joined.length);
        }
        pushText(chunk);
      } else if (NodeBuffer !== undefined) {
        pushNodeBytes(chunk);
      } else {
        pushDecodedBytes(chunk, false);
      }
    },
    end(): void {
      if (decoder !== null) pushDecodedBytes(new Uint8Array(0), true);
      if (carryByteLength > 0) {
        const joined = takeCarriedBytes();
        if (target.lineBytes !== undefined && carry.length === 0) {
          emitBytes(joined, 0, joined.length);
          return;
        }
        carry += decodeUtf8(joined, 0, joined.length);
      }
      if (carry.length > 0 || cutting) {
        const line = carry;
        carry = '';
        emit(line);
      }
    },
    get lineCount(): number {
      return lineNumber - (firstLine - 1);
    },
  };
}

/** Index of the first character ≥ 0x80 at or after `from` (Infinity: none). `test` builds no match object. */
function findHigh(text: string, from: number): number {
  HIGH.lastIndex = from;
  return HIGH.test(text) ? HIGH.lastIndex - 1 : Infinity;
}

const nodeUtf8Slice = (NodeBuffer?.prototype as { utf8Slice?: (start: number, end: number) => string } | undefined)?.utf8Slice;
const nodeLatin1Slice = (NodeBuffer?.prototype as { latin1Slice?: (start: number, end: number) => string } | undefined)?.latin1Slice;

/** A flat copy of bytes [start, end) as Latin-1 (Node's direct binding when there is one). */
function latin1(bytes: Buffer, start: number, end: number): string {
  return nodeLatin1Slice !== undefined ? nodeLatin1Slice.call(bytes, start, end) : bytes.toString('latin1', start, end);
}

/** True when the bytes are the beginning of a UTF-8 byte-order mark (EF BB BF). */
function isBomStart(bytes: Uint8Array): boolean {
  const bom = [0xef, 0xbb, 0xbf];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== bom[i]) return false;
  return true;
}

/**
 * UTF-8 text of bytes [start, end); a line that is not valid UTF-8 is read as Latin-1 (a Windows server
 * writing in its ANSI code page) rather than filled with replacement characters.
 */
function decodeUtf8(bytes: Buffer, start: number, end: number): string {
  const text = nodeUtf8Slice !== undefined ? nodeUtf8Slice.call(bytes, start, end) : bytes.toString('utf8', start, end);
  if (!text.includes(REPLACEMENT)) return text;
  // A real U+FFFD is EF BF BD; anything else that decoded to it was invalid.
  let real = 0;
  for (let i = start; i + 2 < end; i++) {
    if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) real++;
  }
  let decoded = 0;
  for (let i = text.indexOf(REPLACEMENT); i !== -1; i = text.indexOf(REPLACEMENT, i + 1)) decoded++;
  return real === decoded ? text : latin1(bytes, start, end);
}
