/**
 * A small XML well-formedness check for tests (no XML parser is a dependency): one root element,
 * tags balanced and properly nested, attributes quoted, `<` never raw and `&` only in entities.
 * Returns the first problem found, or `undefined` when the document is well-formed.
 */
export function xmlProblem(document: string): string | undefined {
  const body = document.replace(/^<\?xml[^?]*\?>\s*/, '');
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const stack: string[] = [];
  let roots = 0;
  for (const token of body.match(/<[^>]*>|[^<]+/g) ?? []) {
    if (!token.startsWith('<')) {
      if (entity.test(token)) return `raw & in text: ${token.slice(0, 40)}`;
      if (stack.length === 0 && token.trim() !== '') return `text outside the root: ${token.slice(0, 40)}`;
      continue;
    }
    const close = /^<\/([A-Za-z_][\w.-]*)\s*>$/.exec(token);
    if (close) {
      if (stack.pop() !== close[1]) return `unbalanced </${close[1]}>`;
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>$/.exec(token);
    if (!open) return `malformed tag: ${token.slice(0, 60)}`;
    if (entity.test(open[2] ?? '')) return `raw & in attribute: ${token.slice(0, 60)}`;
    if (stack.length === 0) roots++;
    if (open[3] !== '/') stack.push(open[1] ?? '');
  }
  if (stack.length > 0) return `unclosed <${stack.at(-1)}>`;
  return roots === 1 ? undefined : `${roots} root elements`;
}
