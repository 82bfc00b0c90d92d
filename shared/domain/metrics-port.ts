/**
 * Business events worth a graph or an alarm, counted where they happen. Names are the
 * CloudWatch metric names (namespace `Ticketing`); `RateLimited` is the answer a
 * per-client limit gives.
 */
export type CountedEvent =
  | 'HoldsCreated'
  | 'SoldOut'
  | 'Conflicts'
  | 'Payments'
  | 'PaymentsDeclined'
  | 'HoldsExpired'
  | 'EmailsSent'
  | 'EmailsFailed'
  /** Dropped over its recipient's hourly cap. */
  | 'EmailsCapped'
  | 'RateLimited';

/** Durations in seconds; `OverdueHoldAge` is how late the oldest unexpired hold is. */
export type TimedEvent = 'OverdueHoldAge';

export interface BusinessMetrics {
  count(event: CountedEvent, times?: number): void;
  seconds(event: TimedEvent, value: number): void;
}
