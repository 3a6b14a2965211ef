/**
 * Everything a benchmark starts registers how to stop it here, so that a failure or a
 * Ctrl-C still leaves no server, browser or container behind.
 */
type Stopper = () => Promise<void> | void;

const stoppers: { what: string; stop: Stopper }[] = [];

/** Registers a stopper; returns a function that runs it now and forgets it. */
export function onCleanup(what: string, stop: Stopper): () => Promise<void> {
  const entry = { what, stop };
  stoppers.push(entry);
  return async () => {
    const index = stoppers.indexOf(entry);
    if (index === -1) return;
    stoppers.splice(index, 1);
    await entry.stop();
  };
}

/** Stops everything still registered, newest first; never throws. */
export async function cleanupAll(): Promise<void> {
  while (stoppers.length > 0) {
    const entry = stoppers.pop()!;
    try {
      await entry.stop();
    } catch (error) {
      console.error(`[bench] cleanup of ${entry.what} failed:`, error);
    }
  }
}

let installed = false;
/** Stops everything on SIGINT/SIGTERM before exiting. */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`[bench] ${signal}: stopping everything`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}
