/**
 * Preloaded into each contender (`node --expose-gc --import bench/probe/memory.ts …`): answers
 * the bench's `memory?` over the IPC channel with `process.memoryUsage()`, taken right after a
 * full garbage collection, so that start and end of the soak compare live memory, not garbage.
 * Idle otherwise, and the channel never keeps the process alive.
 */
if (process.send !== undefined) {
  process.on('message', (message) => {
    if (message !== 'memory?') return;
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    process.send?.({ memory: { rss, heapUsed, heapTotal, external } });
  });
  // After the listener: adding a 'message' listener refs the channel again.
  process.channel?.unref();
}
