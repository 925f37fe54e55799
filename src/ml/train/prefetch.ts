/**
 * tf.data's prefetch for async iterators: keeps up to `n` next() calls in flight, so the
 * producer decodes the next batch while the consumer awaits its step (a step on native
 * TensorFlow or in replica threads leaves this thread free).
 */

/** Wrap `source` so `n` items are requested ahead of the consumer; `n` <= 0 passes it through. */
export async function* prefetch<T>(source: AsyncGenerator<T>, n: number): AsyncGenerator<T> {
  if (n <= 0) {
    yield* source;
    return;
  }
  const ahead: Promise<IteratorResult<T>>[] = [];
  let done = false;
  try {
    for (;;) {
      // an async generator queues next() calls and runs them one after another
      while (!done && ahead.length <= n) {
        const p = source.next();
        // stop asking once the source has ended or failed; a rejection surfaces in its turn
        void p.then(
          (r) => (r.done ? (done = true) : undefined),
          () => (done = true),
        );
        ahead.push(p);
      }
      if (ahead.length === 0) return;
      const res = await ahead.shift()!;
      if (res.done) return;
      yield res.value;
    }
  } finally {
    // the consumer stopped early (break, a thrown error): let pending reads settle, then close
    await Promise.allSettled(ahead);
    await source.return(undefined);
  }
}
