/** Pure parsers for license-daemon output and the usage maths (no I/O, no database). */
export * from './types.ts';
