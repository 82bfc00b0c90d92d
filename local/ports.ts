import { createServer } from 'node:net';

/** Asks the OS for a free loopback port, so parallel runs never collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Fails fast on a port something already holds, so a service left over from an earlier
 * run is never mistaken for the one about to start. `variable` names the env var to change.
 */
export function assertPortFree(port: number, variable: string): Promise<void> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Port ${port} is already in use; set ${variable} to another port` +
                (variable === 'DYNAMODB_PORT'
                  ? ' (or stop a DynamoDB Local left over from an earlier run: pgrep -af DynamoDBLocal)'
                  : '')
            : `Cannot listen on port ${port} (${variable}): ${error.message}`,
        ),
      );
    });
    // No host: the wildcard address, so a server bound to any interface is detected.
    probe.listen(port, () => probe.close(() => resolvePort()));
  });
}
