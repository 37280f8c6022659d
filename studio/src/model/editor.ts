/**
 * The editor: owns the document, runs transactions atomically, keeps undo/redo stacks of diffs
 * and marks for gestures (a drag is many transactions squashed into one undo step).
 */
import { applyDiff, type Diff, diffRecords, invertDiff, squashDiffs } from "./diff.ts";
import { checkInvariants, newViolations, type Violation } from "./invariants.ts";
import { fromDsl, toDsl } from "./convert.ts";
import { Tx } from "./tx.ts";
import { type Doc, ModelError, type WorkflowDsl } from "./types.ts";

export class InvariantError extends ModelError {
  constructor(readonly violations: Violation[]) {
    super("invariant", violations.map((v) => v.message).join("; "));
    this.name = "InvariantError";
  }
}

interface Entry {
  label: string;
  diff: Diff;
}
type StackItem = Entry | { mark: string };

export interface TransactOptions {
  /** Skip the invariant check (code mode imports whatever the user typed). */
  unchecked?: boolean;
  /** Do not record an undo step (e.g. the initial auto layout). */
  ignoreHistory?: boolean;
}

export class Editor {
  private current: Doc;
  private undoStack: StackItem[] = [];
  private redoStack: Entry[] = [];
  private listeners = new Set<(doc: Doc, diff: Diff) => void>();
  private markSeq = 0;
  /** Bumped on every change; UIs compare it instead of deep-equal documents. */
  version = 0;

  constructor(doc: Doc) {
    this.current = doc;
  }

  static fromDsl(dsl: unknown): Editor {
    return new Editor(fromDsl(dsl));
  }

  get doc(): Doc {
    return this.current;
  }

  toDsl(): WorkflowDsl {
    return toDsl(this.current);
  }

  subscribe(fn: (doc: Doc, diff: Diff) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Runs fn against a working copy. If fn throws, or the result violates an invariant that did
   * not exist before, nothing changes and the error propagates.
   */
  transact<T>(
    label: string,
    fn: (tx: Tx) => T,
    options: TransactOptions = {},
  ): T {
    const tx = new Tx(this.current.records);
    const result = fn(tx);
    const diff = tx.commit();
    if (!diff.length) return result;
    if (!options.unchecked && !tx.layoutOnly) {
      const fresh = newViolations(
        checkInvariants(this.current.records),
        checkInvariants(tx.records),
      );
      if (fresh.length) throw new InvariantError(fresh);
    }
    this.apply(diff);
    if (!options.ignoreHistory) {
      this.undoStack.push({ label, diff });
      this.redoStack = [];
    }
    return result;
  }

  /** Replaces the whole document from DSL (code mode); one undo step, ids/positions kept by path. */
  replaceDsl(dsl: unknown, label = "edit code"): Diff {
    const next = fromDsl(dsl, { previous: this.current });
    const diff = diffRecords(this.current.records, next.records);
    if (!diff.length) return diff;
    this.apply(diff);
    this.undoStack.push({ label, diff });
    this.redoStack = [];
    return diff;
  }

  get canUndo(): boolean {
    return this.undoStack.some((e) => "diff" in e);
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** Label of the step undo() would revert. */
  get undoLabel(): string | undefined {
    for (let i = this.undoStack.length - 1; i >= 0; i--) {
      const e = this.undoStack[i];
      if ("diff" in e) return e.label;
    }
    return undefined;
  }

  undo(): boolean {
    while (this.undoStack.length) {
      const e = this.undoStack.pop()!;
      if (!("diff" in e)) continue;
      this.apply(invertDiff(e.diff));
      this.redoStack.push(e);
      return true;
    }
    return false;
  }

  redo(): boolean {
    const e = this.redoStack.pop();
    if (!e) return false;
    this.apply(e.diff);
    this.undoStack.push(e);
    return true;
  }

  /** Starts a gesture; returns the mark to squash or bail to. */
  mark(name = "gesture"): string {
    const id = `${name}#${++this.markSeq}`;
    this.undoStack.push({ mark: id });
    return id;
  }

  /** Folds every step since the mark into one undo step (the mark is removed). */
  squashToMark(mark: string, label?: string): void {
    const at = this.undoStack.findIndex((e) => "mark" in e && e.mark === mark);
    if (at < 0) return;
    const steps = this.undoStack.splice(at).filter((e): e is Entry => "diff" in e);
    const diff = squashDiffs(steps.map((s) => s.diff));
    if (diff.length) {
      this.undoStack.push({ label: label ?? steps[0]?.label ?? mark, diff });
    }
  }

  /** Reverts every step since the mark and forgets them (a cancelled gesture). */
  bailToMark(mark: string): void {
    const at = this.undoStack.findIndex((e) => "mark" in e && e.mark === mark);
    if (at < 0) return;
    const steps = this.undoStack.splice(at).filter((e): e is Entry => "diff" in e);
    for (let i = steps.length - 1; i >= 0; i--) {
      this.apply(invertDiff(steps[i].diff));
    }
  }

  clearHistory(): void {
    this.undoStack = [];
    this.redoStack = [];
  }

  private apply(diff: Diff) {
    this.current = { records: applyDiff(this.current.records, diff) };
    this.version++;
    for (const fn of this.listeners) fn(this.current, diff);
  }
}
