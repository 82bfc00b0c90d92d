import type { AddressInfo } from 'node:net';
import sesPackage from 'aws-ses-v2-local';

export interface RunningSes {
  /** Inbox page at `/`, every email so far as JSON at `/store`. */
  url: string;
  /** Where the AWS SDK's SES clients send to (`AWS_ENDPOINT_URL_SES`). */
  endpoint: string;
  close(): Promise<void>;
}

export const DEFAULT_SES_PORT = 8005;

/*
 * The package is CommonJS with `exports.default = server`. Node's ESM loader hands us
 * `module.exports` as the default import, so the function is at `.default`; loaders that
 * apply the `__esModule` interop (vitest) hand us the function itself. Accept both.
 */
const startSesServer: typeof sesPackage.default =
  typeof sesPackage === 'function' ? sesPackage : sesPackage.default;

/**
 * Starts the SES emulator (`aws-ses-v2-local`) in this process. It keeps emails in memory,
 * so they are gone after a restart. Loopback only unless `host` says otherwise.
 */
export async function startSes(options: { port: number; host?: string }): Promise<RunningSes> {
  const host = options.host ?? '127.0.0.1';
  // The package resolves even when listen fails (it hands the error to its callback
  // and gives back the unbound server), so check that it is really listening.
  const server = await startSesServer({ port: options.port, host });
  if (!server.listening) {
    throw new Error(`The SES emulator could not listen on ${host}:${options.port} (port in use?)`);
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    endpoint: url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
