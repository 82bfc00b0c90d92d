/** Ids in the contract's examples: shaped like the real ones, pointing at nothing. */
export const EVENT_ID = 'ev_01J9Z3Q4M5N6P7R8S9T0V1W2X3';
export const ORDER_ID = 'ord_01J9Z3Q4M5N6P7R8S9T0V1W2X4';
export const USER_ID = '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f';
export const TICKET_TYPE_ID = 'tt_01J9Z3Q4M5N6P7R8S9T0V1W2X5';
export const WAITLIST_ENTRY_ID = 'wl_01J9Z3Q4M5N6P7R8S9T0V1W2X6';
