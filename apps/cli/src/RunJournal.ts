/**
 * What a run has done so far, so that an interrupted run (SIGINT, SIGTERM) can still say it:
 * how many JSON documents it printed, and which writes reached the disk (a refreshed store
 * entry, a rewritten token-set file, an added or removed entry). `Main.ts` provides a fresh
 * journal to every run and, on interruption, prints one `interrupted` document with `saved`
 * under `--json` (only if the command had not printed its document yet; always for the NDJSON
 * of `watch` and `demo`). Holds ids and generations only, never a token.
 */
import { Context, Effect } from "effect";

/** A write that reached the disk during the run. */
export interface SavedWrite {
  readonly what: "store entry" | "token-set file" | "store entry removed";
  /** The store id; `null` for a token-set file. */
  readonly id: string | null;
  /** The generation written; `null` for a removal. */
  readonly generation: number | null;
}

/** The journal of one run. */
export interface RunJournal {
  readonly saved: Array<SavedWrite>;
  /** JSON documents printed on stdout so far. */
  documents: number;
  /** Whether the command prints NDJSON (a stream of documents), not one document. */
  streaming: boolean;
}

/** A fresh, empty journal. */
export const makeRunJournal = (): RunJournal => ({ saved: [], documents: 0, streaming: false });

/** The current run's journal (a throwaway one outside `runCli`, e.g. in unit tests). */
export const CurrentRunJournal = Context.Reference<RunJournal>("@miro-token/cli/RunJournal", {
  defaultValue: makeRunJournal,
});

const update = (change: (journal: RunJournal) => void): Effect.Effect<void> =>
  Effect.gen(function* () {
    change(yield* CurrentRunJournal);
  });

/** Note a write that reached the disk. */
export const recordSaved = (write: SavedWrite): Effect.Effect<void> =>
  update((journal) => void journal.saved.push(write));

/** Note that a JSON document was printed. */
export const recordDocument: Effect.Effect<void> = update((journal) => {
  journal.documents += 1;
});

/** Note that this command prints NDJSON. */
export const markStreaming: Effect.Effect<void> = update((journal) => {
  journal.streaming = true;
});
