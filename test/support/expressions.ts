/**
 * DynamoDB expressions as a reader would write them: every `#name` and `:value`
 * placeholder replaced by what it stands for (values as JSON), so tests pin what a write
 * does, whatever placeholders the builder picked.
 */
export function readable(
  expression: string | undefined,
  input: {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  },
): string {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  return (expression ?? '').replace(/([#:])[A-Za-z0-9_]+/g, (token, kind: string) => {
    if (kind === '#') return names[token] ?? token;
    return token in values ? JSON.stringify(values[token]) : token;
  });
}

/** The update and condition of one Update input, both made readable. */
export function readableUpdate(
  update:
    | {
        UpdateExpression?: string;
        ConditionExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
        ExpressionAttributeValues?: Record<string, unknown>;
      }
    | undefined,
): { update: string; condition: string } {
  return {
    update: readable(update?.UpdateExpression, update ?? {}),
    condition: readable(update?.ConditionExpression, update ?? {}),
  };
}
