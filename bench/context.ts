import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Measure } from './measure.js';
import type { BenchOptions } from './options.js';

/** What the phases share, once the stack is up. */
export interface BenchContext {
  options: BenchOptions;
  /** The local gateway. */
  apiUrl: string;
  /** The app's own document client (the probe counts its calls) and table. */
  client: DynamoDBDocumentClient;
  tableName: string;
  measure: Measure;
  /** DynamoDB Local's JVM, for the CPU figures; null where /proc is missing. */
  javaPid: number | null;
}
