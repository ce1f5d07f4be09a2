/** Split a --smoke-test string into argv the way a POSIX shell would (quotes and backslashes; no expansion). */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let current: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current = `${current ?? ''}${text[++i]}`;
      else current = `${current ?? ''}${c}`;
    } else if (c === '"' || c === "'") {
      quote = c;
      current ??= '';
    } else if (c === '\\' && i + 1 < text.length) {
      current = (current ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      if (current !== undefined) args.push(current);
      current = undefined;
    } else {
      current = (current ?? '') + c;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in "${text}"`);
  if (current !== undefined) args.push(current);
  return args;
}
