/**
 * Text from data (file names, field names, item text, error messages that quote them) shown in a
 * VS Code notification. Notifications turn `[label](command:…)`, `[label](https://…)` and
 * `[label](file:…)` into links, and a `command:` link runs a command when clicked, so a file named
 * `[Show details](command:workbench.action.terminal.new).jsonl` must not become one. A space
 * between `]` and `(` is enough for VS Code's link syntax not to match, and unlike a backslash
 * escape (which a notification shows literally) it reads as the original name.
 */
export function plainText(text: string): string {
  return text.replace(/\][\s\u200b]*\(/g, '] (');
}

/** True when `text` still holds something a notification would render as a link. */
export function hasLinkSyntax(text: string): boolean {
  return /\[[^\]]+\]\((?:https?:\/\/|command:|file:)/i.test(text);
}
