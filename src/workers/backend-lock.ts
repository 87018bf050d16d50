/**
 * One backend start at a time in the worker. Jobs run concurrently here (a side request such as
 * the live picture while a compression starts), and two overlapping tf.setBackend calls for a
 * backend that is still initializing leave tfjs with two instances, whose tensors then fail.
 */
let last: Promise<unknown> = Promise.resolve();

export function startingBackend<T>(start: () => Promise<T>): Promise<T> {
  const next = last.then(start, start);
  last = next.catch(() => undefined);
  return next;
}
