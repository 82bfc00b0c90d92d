/**
 * Runs `total` tasks with at most `concurrency` in flight. Stops handing out new tasks
 * once `shouldStop()` says so (Ctrl-C); tasks already in flight finish.
 */
export async function runPool(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total && !shouldStop()) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}
