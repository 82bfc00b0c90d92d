import type { IncomingMessage } from 'node:http';
import { type GatewayResponse, problemResponse } from './responses.js';

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        // Stop buffering; the rest of the upload is drained and discarded.
        request.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      if (!done) reject(error);
    });
  });
}

/** The whole body, or the 413 for one over `limit` bytes (declared or sent). */
export async function readRequestBody(
  request: IncomingMessage,
  limit: number,
): Promise<Buffer | GatewayResponse> {
  const tooLarge = problemResponse(
    413,
    'PAYLOAD_TOO_LARGE',
    'Request body too large',
    `The request body must not exceed ${limit} bytes`,
    { connection: 'close' },
  );
  const declaredLength = Number(request.headers['content-length']);
  if (Number.isFinite(declaredLength) && declaredLength > limit) return tooLarge;
  try {
    return await readBody(request, limit);
  } catch (error) {
    if (error instanceof BodyTooLarge) return tooLarge;
    throw error;
  }
}

/** Node gives repeated headers as arrays; API Gateway joins them with commas. */
export function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}
