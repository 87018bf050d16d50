/**
 * Lets the event loop run between batches. On the wasm backend `await tensor.data()` resolves as a
 * microtask, so a loop of batches never lets a Worker dispatch its next message: a Cancel sent
 * mid-job would only arrive after the job ended. A zero-delay timer is a macrotask in a Worker and
 * in Node alike.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
