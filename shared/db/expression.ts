import { table } from './table.js';

/**
 * DynamoDB's limits on one expression string (Developer Guide, "Constraints: expression
 * parameters"): 4 KB, and 300 operators or functions. An expression past either is
 * refused with a ValidationException, which on a money step means a charge without its
 * confirmation; so every expression is measured here, before it is sent.
 */
export const EXPRESSION_LIMITS = { bytes: 4096, operators: 300 } as const;

/** An expression that DynamoDB would refuse: a bug in how a write is laid out. */
export class ExpressionTooLarge extends Error {}

/** An attribute path: one top-level name, or the segments of a nested map path. */
export type AttributePath = string | readonly string[];

interface Substitutions {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** What an Update (alone or in a transaction) takes. */
export interface UpdateExpressionInput extends Substitutions {
  UpdateExpression: string;
  ConditionExpression?: string;
}

/** What a Put, Delete or ConditionCheck (alone or in a transaction) takes. */
export interface ConditionExpressionInput extends Substitutions {
  ConditionExpression: string;
}

/** What a Query's filter takes: the condition, and the names and values it stands for. */
export interface QueryFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

const PLACEHOLDER_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Base-62, so 62 names or values take one character each and 3,844 take two. */
function placeholder(index: number): string {
  let text = '';
  let rest = index;
  do {
    text = (PLACEHOLDER_ALPHABET[rest % 62] as string) + text;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return text;
}

/**
 * One item's update and condition, with every name and value behind a placeholder. The
 * placeholders are as short as they can be and shared (one per attribute name, one per
 * distinct primitive value), so that a write touching every ticket type of the largest
 * event stays within DynamoDB's limits; `toUpdate` and `toCondition` refuse one that
 * would not.
 *
 * Counters move with ADD (it starts a missing counter at 0 and counts as no operator),
 * never with `SET a = a + :d`.
 */
export class ItemExpression {
  private readonly names = new Map<string, string>();
  private readonly values = new Map<string, string>();
  private readonly valueMap: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly adds: string[] = [];
  private readonly removes: string[] = [];
  private readonly deletes: string[] = [];
  private readonly conditions: string[] = [];

  /** The placeholder path of an attribute, for conditions written with `when`. */
  path(path: AttributePath): string {
    const segments = typeof path === 'string' ? [path] : path;
    return segments.map((segment) => this.name(segment)).join('.');
  }

  /** The placeholder of a value; equal primitives share one. */
  value(value: unknown): string {
    const primitive = value === null || typeof value !== 'object';
    const key = primitive ? `${typeof value}:${String(value)}` : undefined;
    const known = key === undefined ? undefined : this.values.get(key);
    if (known) return known;
    const token = `:${placeholder(Object.keys(this.valueMap).length)}`;
    this.valueMap[token] = value;
    if (key !== undefined) this.values.set(key, token);
    return token;
  }

  set(path: AttributePath, value: unknown): this {
    this.sets.push(`${this.path(path)}=${this.value(value)}`);
    return this;
  }

  /** Adds `delta` to a number (a missing one counts from 0); a zero delta writes nothing. */
  add(path: AttributePath, delta: number): this {
    if (delta !== 0) this.adds.push(`${this.path(path)} ${this.value(delta)}`);
    return this;
  }

  remove(path: AttributePath): this {
    this.removes.push(this.path(path));
    return this;
  }

  /** Adds strings to a string set (a missing set starts empty). */
  addToSet(path: AttributePath, elements: readonly string[]): this {
    this.adds.push(`${this.path(path)} ${this.value(new Set(elements))}`);
    return this;
  }

  /** Takes strings out of a string set; DynamoDB removes a set left empty. */
  deleteFromSet(path: AttributePath, elements: readonly string[]): this {
    this.deletes.push(`${this.path(path)} ${this.value(new Set(elements))}`);
    return this;
  }

  /** A condition (ANDed with the others), written with `path` and `value`. */
  when(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  /** Only if the item does not exist yet. */
  whenAbsent(): this {
    return this.when(`attribute_not_exists(${this.path(table.partitionKey)})`);
  }

  /** Only if the item exists already: keeps an update from creating one. */
  whenPresent(): this {
    return this.when(`attribute_exists(${this.path(table.partitionKey)})`);
  }

  /** `path <comparator> value`. */
  compare(path: AttributePath, comparator: '=' | '<>' | '<' | '<=' | '>' | '>=', value: unknown) {
    return this.when(`${this.path(path)} ${comparator} ${this.value(value)}`);
  }

  /** For an Update: what to change, and the condition if any. */
  toUpdate(): UpdateExpressionInput {
    const clauses = [
      this.sets.length > 0 ? `SET ${this.sets.join(',')}` : '',
      this.adds.length > 0 ? `ADD ${this.adds.join(',')}` : '',
      this.removes.length > 0 ? `REMOVE ${this.removes.join(',')}` : '',
      this.deletes.length > 0 ? `DELETE ${this.deletes.join(',')}` : '',
    ].filter(Boolean);
    if (clauses.length === 0) throw new Error('An update that changes nothing');
    const update = clauses.join(' ');
    assertWithinLimits('UpdateExpression', update);
    return { UpdateExpression: update, ...this.conditionPart(), ...this.substitutions() };
  }

  /** For a Put, Delete or ConditionCheck: the condition alone. */
  toCondition(): ConditionExpressionInput {
    const condition = this.conditionPart();
    if (!condition.ConditionExpression) throw new Error('A condition with no terms');
    return { ConditionExpression: condition.ConditionExpression, ...this.substitutions() };
  }

  /**
   * For a Query: the conditions as its filter, or undefined when there are none. The
   * Query's key condition may name its own placeholders: the builder's are base-62
   * numbers, which reach a word like `#pk` only at the 1,571st name, far past any filter.
   */
  toFilter(): QueryFilter | undefined {
    const { ConditionExpression: expression } = this.conditionPart();
    if (expression === undefined) return undefined;
    const { ExpressionAttributeNames: names = {}, ExpressionAttributeValues: values = {} } =
      this.substitutions();
    return { expression, names, values };
  }

  private conditionPart(): { ConditionExpression?: string } {
    if (this.conditions.length === 0) return {};
    const condition = this.conditions.join(' AND ');
    assertWithinLimits('ConditionExpression', condition);
    return { ConditionExpression: condition };
  }

  private substitutions() {
    return {
      ...(this.names.size > 0 && {
        ExpressionAttributeNames: Object.fromEntries(
          [...this.names].map(([name, token]) => [token, name]),
        ),
      }),
      ...(Object.keys(this.valueMap).length > 0 && {
        ExpressionAttributeValues: { ...this.valueMap },
      }),
    };
  }

  private name(attribute: string): string {
    let token = this.names.get(attribute);
    if (!token) {
      token = `#${placeholder(this.names.size)}`;
      this.names.set(attribute, token);
    }
    return token;
  }
}

const OPERATOR =
  /<>|<=|>=|[=<>+-]|\b(?:AND|OR|NOT|BETWEEN|IN)\b|\b(?:attribute_exists|attribute_not_exists|attribute_type|begins_with|contains|size|if_not_exists|list_append)\(/g;

/**
 * Operators and functions as DynamoDB counts them, erring high: every comparator,
 * logical operator, arithmetic sign (including the `=` of each SET) and function call.
 */
export function countOperators(expression: string): number {
  return expression.match(OPERATOR)?.length ?? 0;
}

function assertWithinLimits(kind: string, expression: string): void {
  const bytes = Buffer.byteLength(expression, 'utf8');
  const operators = countOperators(expression);
  if (bytes > EXPRESSION_LIMITS.bytes || operators > EXPRESSION_LIMITS.operators) {
    throw new ExpressionTooLarge(
      `${kind} of ${bytes} bytes and ${operators} operators is over DynamoDB's limits ` +
        `(${EXPRESSION_LIMITS.bytes} bytes, ${EXPRESSION_LIMITS.operators} operators)`,
    );
  }
}
