/**
 * Typed errors. A `user` error is a mistake in the input (a wrong file, a missing dataset) and
 * reads as advice; a `bug` error means the studio itself is wrong and should be reported.
 */
export type ErrorKind = 'user' | 'bug';

export type ErrorCode =
  | 'bad-magic'
  | 'truncated'
  | 'size-mismatch'
  | 'label-out-of-range'
  | 'bad-header'
  | 'dataset-missing'
  | 'download-failed'
  | 'checksum-mismatch'
  | 'bad-model'
  | 'shape-mismatch'
  | 'cancelled'
  | 'bad-settings'
  | 'worker-restarted'
  | 'worker-crashed'
  | 'webgl-context-lost'
  | 'export-unsupported'
  | 'needs-confirmation'
  | 'internal';

export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}, kind: ErrorKind = 'user') {
    super(message);
    this.name = 'StudioError';
    this.code = code;
    this.kind = kind;
    this.context = context;
  }

  toJSON(): SerializedError {
    return { code: this.code, kind: this.kind, message: this.message, context: this.context };
  }
}

export interface SerializedError {
  code: ErrorCode;
  kind: ErrorKind;
  message: string;
  context: Record<string, unknown>;
}

/** Turns anything thrown into plain data that can cross the worker boundary. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof StudioError) return e.toJSON();
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', kind: 'bug', message, context: {} };
}
