/**
 * ANSI styling for console output, applied only when the caller asks (a TTY without NO_COLOR).
 * Hand-written rather than `util.styleText`, whose newer versions decide colour from the stream
 * themselves, while here the caller has already decided.
 */

const CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], bold: [1, 22], dim: [2, 22] } as const;

/** A style name. */
export type Style = keyof typeof CODES;

/** Returns a painter: `paint('red', text)` styles text when `enabled`, else returns it unchanged. */
export function painter(enabled: boolean): (style: Style, text: string) => string {
  return (style, text) => {
    if (!enabled) return text;
    const [on, off] = CODES[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  };
}
