/**
 * Pure parsers for license-daemon output and the usage maths (no I/O, no database). The parsers arrive
 * with the usage work; this module exists so the workspace layout is in place.
 */
export const USAGE_ENGINE_FORMATS = [] as const;
