import type { ConditionExpressionInput, UpdateExpressionInput } from '../expression.js';
import type { PrimaryKey } from '../table.js';

/** One item's update, as an entity allows it: its key and its expressions. */
export interface UpdateWrite extends UpdateExpressionInput {
  Key: PrimaryKey;
}

/** One whole item to put, with the condition it is written under, if any. */
export interface PutWrite extends Partial<ConditionExpressionInput> {
  Item: Record<string, unknown>;
}
