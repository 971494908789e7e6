/**
 * Text from data (file names, field names, item text, error messages that quote them) shown in a
 * VS Code notification. Notifications render markdown links, and a `command:` link runs a command
 * when clicked, so `[Show details](command:...)` in a file name must not become a link. Escaping
 * the link brackets with backslashes keeps the text readable and makes it inert.
 */
export function plainText(text: string): string {
  return text.replace(/[\\[\]()`<>]/g, (c) => `\\${c}`);
}
