/**
 * What the webview saves with `vscode.setState` and reads back when a hidden panel is shown again.
 * The saved state comes from an earlier run of this very script, but it still crosses a boundary
 * (and its writes are resent to the host), so it is validated with the protocol's own schemas and
 * dropped, for a fresh start, when it does not fit.
 */
import * as v from 'valibot';
import {
  FlagMessage,
  InitMessage,
  LabelMessage,
  ModelSnapshotSchema,
  QueueItemSchema,
  SkipMessage,
  ReviewRequestSchema,
  UndoMessage,
  type ModelSnapshot,
  type ReviewRequest,
} from '../src/shared/protocol';
import type { QueueSnapshot } from './queue';

const OutcomeSchema = v.variant('kind', [
  v.object({ kind: v.literal('label'), labels: v.array(v.string()), answer: v.optional(v.picklist(['accept', 'reject'])) }),
  v.object({ kind: v.literal('skip') }),
  v.object({ kind: v.literal('flag') }),
]);

const WriteRecordSchema = v.object({
  requestId: v.string(),
  itemId: v.string(),
  message: v.variant('type', [LabelMessage, SkipMessage, FlagMessage, UndoMessage]),
  status: v.picklist(['pending', 'saved', 'failed']),
  error: v.optional(v.string()),
});

const QueueSnapshotSchema = v.pipe(
  v.object({
    current: v.nullable(QueueItemSchema),
    upcoming: v.array(QueueItemSchema),
    history: v.array(v.object({ item: QueueItemSchema, outcome: OutcomeSchema, requestId: v.optional(v.string()), seq: v.optional(v.number()) })),
    cursor: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
    exhausted: v.boolean(),
    writes: v.array(WriteRecordSchema),
    // Absent in a state saved before undos were listed.
    undone: v.optional(v.array(v.object({ item: QueueItemSchema, outcome: OutcomeSchema, requestId: v.optional(v.string()), seq: v.number() })), []),
  }),
  v.check((q) => q.cursor === null || q.cursor < q.history.length, 'cursor is past the end of the history'),
);

export const PersistedStateSchema = v.object({
  /** Bumped when the shape changes; other versions are ignored. */
  version: v.literal(2),
  queue: QueueSnapshotSchema,
  /** The last `init`, so a restored panel paints before the host answers `ready`. */
  config: v.nullable(InitMessage),
  model: v.nullable(ModelSnapshotSchema),
  /** The review queue's order and filters, while in review mode. */
  review: v.optional(ReviewRequestSchema),
});

export interface PersistedState {
  readonly version: 2;
  readonly queue: QueueSnapshot;
  readonly config: InitMessage | null;
  readonly model: ModelSnapshot | null;
  readonly review?: ReviewRequest;
}

/** The saved state, or null when there is none or it does not have the expected shape. */
export function restoreState(saved: unknown): PersistedState | null {
  const parsed = v.safeParse(PersistedStateSchema, saved);
  return parsed.success ? parsed.output : null;
}
