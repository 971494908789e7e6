/** Which key picks which label: 1-9, 0, then Shift with 1-9, 0 (Prodigy's convention). */

/** Prefix of a label key that needs Shift held (labels 11-20: `shift+1`..`shift+0`). */
export const SHIFT_CHORD_PREFIX = 'shift+';

/** Labels that get a default key. */
export const MAX_KEYED_LABELS = 20;

/**
 * Default key of the i-th label (0-based): '1'..'9', '0' for the first ten, then 'shift+1'..
 * 'shift+0' for the next ten; '' beyond the twentieth label. A `shift+` key is matched on the
 * physical digit key (`KeyboardEvent.code`), since Shift+1 types '!' on one layout and '1' on another.
 */
export function labelKeyForIndex(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_KEYED_LABELS) return '';
  const digit = index % 10 === 9 ? '0' : String((index % 10) + 1);
  return index < 10 ? digit : `${SHIFT_CHORD_PREFIX}${digit}`;
}
