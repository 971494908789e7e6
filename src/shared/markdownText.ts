/**
 * Text from data (annotator names, labels, item ids, file names) placed in a generated Markdown
 * document. CommonMark lets a backslash escape any ASCII punctuation, so escaping all of it leaves
 * nothing that could open a link, an image, HTML, emphasis, a heading or a table cell; line breaks
 * become spaces so a value stays in its paragraph or cell. The preview shows the original text.
 */
export function markdownText(text: string): string {
  return text.replace(/[\r\n\t\f\v]+/g, ' ').replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
