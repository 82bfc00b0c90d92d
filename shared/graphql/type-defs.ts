/**
 * The GraphQL schema, written once. Its object types mirror the REST response schemas
 * (`shared/api/responses.ts`) and its arguments the REST query and body schemas, which
 * also validate every argument at run time; `test/unit/graphql-schema.test.ts` fails
 * when the two drift apart.
 */
export const typeDefs = /* GraphQL */ `
  "An ISO 8601 date-time in UTC, as REST writes it: 2027-03-01T19:30:00.000Z"
  scalar DateTime

  enum EventStatus {
    DRAFT
    PUBLISHED
    CANCELLED
  }

  enum OrderStatus {
    HELD
    CONFIRMED
    EXPIRED
    CANCELLED
    REFUNDED
  }

  enum Role {
    customer
    organizer
    admin
  }

  type Venue {
    name: String!
    address: String
    city: String
    country: String
    latitude: Float!
    longitude: Float!
  }

  "Live: capacity less what is held and sold"
  type TicketType {
    id: ID!
    name: String!
    priceCents: Int!
    capacity: Int!
    available: Int!
  }

  type SeatingRow {
    label: String!
    seats: Int!
  }

  type SeatingSection {
    name: String!
    ticketType: String!
    rows: [SeatingRow!]!
  }

  type Seating {
    sections: [SeatingSection!]!
  }

  type Event {
    id: ID!
    organizerId: ID!
    name: String!
    description: String
    venue: Venue!
    startsAt: DateTime!
    endsAt: DateTime
    currency: String!
    status: EventStatus!
    maxTicketsPerOrder: Int!
    holdSeconds: Int!
    ticketTypes: [TicketType!]!
    seating: Seating
    createdAt: DateTime!
    updatedAt: DateTime!
    "Only in a near-me search: great-circle distance from its centre, in km"
    distanceKm: Float
  }

  type EventPage {
    items: [Event!]!
    nextCursor: String
  }

  type Customer {
    userId: ID!
    email: String!
    name: String!
  }

  type OrderItem {
    ticketTypeId: ID!
    quantity: Int!
    unitPriceCents: Int!
    seatIds: [String!]
  }

  type Order {
    id: ID!
    eventId: ID!
    eventName: String!
    customer: Customer!
    items: [OrderItem!]!
    amountCents: Int!
    currency: String!
    status: OrderStatus!
    expiresAt: DateTime!
    createdAt: DateTime!
    updatedAt: DateTime!
    paidAt: DateTime
    cancelledAt: DateTime
    "The event, as the caller may see it (batched across a page)"
    event: Event
  }

  type OrderPage {
    items: [Order!]!
    nextCursor: String
  }

  type Location {
    latitude: Float!
    longitude: Float!
  }

  type User {
    id: ID!
    email: String!
    name: String!
    roles: [Role!]!
    "Whether the address was confirmed with the code mailed to it"
    emailVerified: Boolean!
    location: Location
    createdAt: DateTime!
    updatedAt: DateTime!
    "The user's own orders, newest first (only on me)"
    orders(status: OrderStatus, limit: Int, cursor: String): OrderPage!
  }

  input OrderItemInput {
    ticketTypeId: ID!
    quantity: Int!
  }

  input BestAvailableInput {
    ticketTypeId: ID!
    quantity: Int!
    section: String
  }

  type Query {
    events(
      status: EventStatus
      q: String
      from: DateTime
      to: DateTime
      organizerId: ID
      near: String
      radiusKm: Float
      limit: Int
      cursor: String
    ): EventPage!
    "null where REST answers 404"
    event(id: ID!): Event
    orders(
      eventId: ID
      status: OrderStatus
      customerEmail: String
      createdFrom: DateTime
      createdTo: DateTime
      limit: Int
      cursor: String
    ): OrderPage!
    "null where REST answers 404"
    order(id: ID!): Order
    "null when anonymous"
    me: User
  }

  type Mutation {
    "One of items, seatIds or bestAvailable; honours the Idempotency-Key header like REST"
    createOrder(
      eventId: ID!
      items: [OrderItemInput!]
      seatIds: [String!]
      bestAvailable: BestAvailableInput
    ): Order!
  }
`;
