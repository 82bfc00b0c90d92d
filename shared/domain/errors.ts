/**
 * Every failure a client can cause or observe. Each carries its HTTP status and
 * stable code; the HTTP layer turns them into problem+json in exactly one place.
 */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  abstract readonly title: string;

  constructor(
    detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  readonly status = 400;
  readonly code = 'VALIDATION_FAILED';
  readonly title = 'The request is not valid';
}

/** A body route sent something not declared as JSON, whatever the bytes look like. */
export class UnsupportedMediaType extends DomainError {
  readonly status = 415;
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly title = 'The request body must be JSON';
}

export class Unauthenticated extends DomainError {
  readonly status = 401;
  readonly code = 'UNAUTHENTICATED';
  readonly title = 'Authentication is required';
}

export class Forbidden extends DomainError {
  readonly status = 403;
  readonly code = 'FORBIDDEN';
  readonly title = 'Not allowed';
}

export class NotFound extends DomainError {
  readonly status = 404;
  readonly code = 'NOT_FOUND';
  readonly title = 'Not found';
}

export class EmailTaken extends DomainError {
  readonly status = 409;
  readonly code = 'EMAIL_TAKEN';
  readonly title = 'The email address is already registered';
}

/** A location-based request for a user who has not set a location (PATCH /v1/me). */
export class LocationRequired extends DomainError {
  readonly status = 409;
  readonly code = 'LOCATION_REQUIRED';
  readonly title = 'A location is required';
}

export class EventHasOrders extends DomainError {
  readonly status = 409;
  readonly code = 'EVENT_HAS_ORDERS';
  readonly title = 'The event has orders';
}

export class CapacityBelowSold extends DomainError {
  readonly status = 409;
  readonly code = 'CAPACITY_BELOW_SOLD';
  readonly title = 'Capacity below tickets held and sold';
}

/** SPEC is silent on illegal event transitions (publish a cancelled event, edit a cancelled one). */
export class EventStateConflict extends DomainError {
  readonly status = 409;
  readonly code = 'EVENT_STATE_CONFLICT';
  readonly title = 'The event is not in a state that allows this';
}

/** A write lost an optimistic race too many times in a row; the client may simply retry. */
export class ConcurrentModification extends DomainError {
  readonly status = 409;
  readonly code = 'CONCURRENT_MODIFICATION';
  readonly title = 'The resource changed while the request was processed';
}

export class LimitExceeded extends DomainError {
  readonly status = 400;
  readonly code = 'LIMIT_EXCEEDED';
  readonly title = 'Too many tickets';
}

export class PaymentDeclined extends DomainError {
  readonly status = 402;
  readonly code = 'PAYMENT_DECLINED';
  readonly title = 'The payment was declined';
}

export class SoldOut extends DomainError {
  readonly status = 409;
  readonly code = 'SOLD_OUT';
  readonly title = 'Not enough tickets left';
}

/** `errors` names each seat that someone else has, at `body.seatIds.<i>`. */
export class SeatUnavailable extends DomainError {
  readonly status = 409;
  readonly code = 'SEAT_UNAVAILABLE';
  readonly title = 'Some seats are taken';
}

export class EventNotOnSale extends DomainError {
  readonly status = 409;
  readonly code = 'EVENT_NOT_ON_SALE';
  readonly title = 'The event is not on sale';
}

export class OrderNotPayable extends DomainError {
  readonly status = 409;
  readonly code = 'ORDER_NOT_PAYABLE';
  readonly title = 'The order cannot be paid';
}

export class IdempotencyInProgress extends DomainError {
  readonly status = 409;
  readonly code = 'IDEMPOTENCY_IN_PROGRESS';
  readonly title = 'A request with this Idempotency-Key is still in progress';
}

export class IdempotencyKeyReused extends DomainError {
  readonly status = 422;
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly title = 'The Idempotency-Key was used with another request';
}

/** SPEC: joining the waitlist while the ticket type still has the tickets asked for. */
export class NotSoldOut extends DomainError {
  readonly status = 409;
  readonly code = 'NOT_SOLD_OUT';
  readonly title = 'Tickets of this type are still on sale';
}

export class AlreadyWaitlisted extends DomainError {
  readonly status = 409;
  readonly code = 'ALREADY_WAITLISTED';
  readonly title = 'Already waiting for this ticket type';
}

/** Where a client stands against one of its limits, for the IETF RateLimit headers. */
export interface RateLimitState {
  /** The policy's name, e.g. `anon`, `user`, `holds`, `login`. */
  policy: string;
  /** Requests the policy allows per window. */
  quota: number;
  windowSeconds: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** One client went over one of its own limits (SPEC "Rate limits (per client)"). */
export class RateLimited extends DomainError {
  readonly status = 429;
  readonly code = 'RATE_LIMITED';
  readonly title = 'Too many requests';

  constructor(
    detail: string,
    readonly limit: RateLimitState,
  ) {
    super(detail);
  }
}

/**
 * A dependency the API needs did not answer (in time): `GET /health/ready` names each
 * failed check at `checks.<name>`, and a request whose authorizer could not read the
 * token denylist or roles ends here too. Clients may retry later.
 */
export class NotReady extends DomainError {
  readonly status = 503;
  readonly code = 'NOT_READY';
  readonly title = 'The service is not ready';
}
