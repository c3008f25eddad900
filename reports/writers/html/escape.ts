/**
 * Escaping for the HTML report. Everything that comes from a report file (scenario and kind names,
 * config values, warning messages) is untrusted text: a scenario named `<img onerror=…>` must show
 * as text, not run.
 */

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * Serialises data for a `<script type="application/json">` block. `<` becomes `\u003c` so no value can
 * close the script element (`</script>`) or open a comment (`<!--`); U+2028/2029 are escaped as well,
 * as JSON allows them raw but some script contexts do not.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
