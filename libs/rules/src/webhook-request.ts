import { SIGNATURE_HEADER } from './webhook-signature.ts';

export interface WebhookRequest {
  url: string;
  /** The JSON body, signed as these exact bytes. */
  body: string;
  signature: string | null;
  /** Receivers drop repeats by it: a retry after a lost answer sends the same delivery again. */
  deliveryId: string;
}

export type AttemptResult = { ok: true; status: number } | { ok: false; retry: boolean; error: string };

/**
 * One POST. Any 2xx delivers. Timeouts, network errors, 5xx, 408 and 429 are worth retrying;
 * any other answer means the receiver refuses this request and will refuse it again.
 */
export async function attemptWebhook(request: WebhookRequest, timeoutMs: number): Promise<AttemptResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-plexus-delivery': request.deliveryId };
  if (request.signature) headers[SIGNATURE_HEADER] = request.signature;
  let response: Response;
  try {
    response = await fetch(request.url, { method: 'POST', headers, body: request.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.body?.cancel();
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return { ok: false, retry: true, error: timedOut ? `no answer within ${timeoutMs} ms` : `request failed: ${describe(error)}` };
  }
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  const retry = response.status >= 500 || response.status === 408 || response.status === 429;
  return { ok: false, retry, error: `HTTP ${response.status}` };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
