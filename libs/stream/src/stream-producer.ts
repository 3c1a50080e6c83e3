import type { StreamRecord } from './stream-record.ts';

/** Plain counters a metrics layer can sample (prom-client gauges and counters in the apps). */
export interface StreamProducerCounters {
  /** Records put and not yet acknowledged by the stream, whether waiting or in flight. */
  readonly bufferedRecords: number;
  readonly bufferedBytes: number;
  /** Requests to the stream (PutRecords calls) answered, successful or not. */
  readonly batches: number;
  /** Records (aggregated Kinesis records for the Kinesis adapter) sent again after a failure. */
  readonly retries: number;
  /** Failed requests and failed entries, each counted once per attempt. */
  readonly failures: number;
  /** User records the stream has accepted. */
  readonly acknowledgedRecords: number;
}

/**
 * Runs once per record: with no error when the stream has durably accepted it, else with the
 * error that refused it. Never before `putWithCallback` returns for a record it accepted; at once,
 * before it returns, for a record it refused (closed producer, too large, buffer full).
 */
export type PutSettled<Context> = (context: Context, error: Error | undefined) => void;

/**
 * The port the gateway writes through. `put` resolves only once the stream has durably accepted
 * the record ("acked means durable"); the caller acknowledges the device after that and not
 * before. The buffer is bounded: when `saturated` is true the caller stops reading sockets until
 * `whenDrained()` resolves (or the 'drain' event).
 */
export interface StreamProducer extends StreamProducerCounters {
  put(record: StreamRecord): Promise<void>;
  /**
   * `put` without a promise per record, for the hot path: `settled(context, error?)` runs once,
   * and the records of an answered request are settled in one pass.
   */
  putWithCallback<Context>(record: StreamRecord, settled: PutSettled<Context>, context: Context): void;
  /** Sends what is buffered without waiting for the linger time; resolves once the buffer is empty. */
  flush(): Promise<void>;
  /** Refuses new puts, drains the buffer, then releases connections. */
  close(): Promise<void>;
  readonly saturated: boolean;
  /** Resolves at once when not saturated, else when the buffer has drained below its low-water mark. */
  whenDrained(): Promise<void>;
  on(event: 'drain' | 'saturated', listener: () => void): this;
  off(event: 'drain' | 'saturated', listener: () => void): this;
}
