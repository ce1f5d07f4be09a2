/** Text made safe for one cell of a Markdown table: no HTML, no column breaks, one line. */
export function escapeCell(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
