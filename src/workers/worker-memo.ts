/**
 * What the worker keeps between requests about the same model: its graph, test records and
 * small training subsets (previews', and a job's up to 4 MiB: jobs/compress.ts keepsTrain), so
 * dragging a slider or a second Compress does not fetch and re-parse them, the unchanged
 * model's evaluation (a Compress's "before", made ahead by the warm-up) and the first pruned
 * layer's statistics. About a dozen entries per model; least recently used first out; a failed
 * load is not kept.
 */
export class WorkerMemo {
  private readonly entries = new Map<string, Promise<unknown>>();

  constructor(private readonly max = 16) {}

  get<T>(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key) as Promise<T> | undefined;
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const p = make();
    this.entries.set(key, p);
    p.catch(() => this.entries.delete(key));
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return p;
  }
}
