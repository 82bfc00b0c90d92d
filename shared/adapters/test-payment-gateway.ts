import { PaymentDeclined } from '../domain/errors.js';
import type { PaymentGateway } from '../domain/order-ports.js';

/**
 * SPEC's built-in test gateway: `tok_visa` succeeds, anything else is declined
 * (`tok_declined` being the documented one). Deterministic per order, as a real
 * gateway is with an idempotency key: paying an order twice yields one payment id.
 */
export class TestPaymentGateway implements PaymentGateway {
  async capture(input: { orderId: string; paymentToken: string }): Promise<{ paymentId: string }> {
    if (input.paymentToken !== 'tok_visa') {
      throw new PaymentDeclined(
        input.paymentToken === 'tok_declined'
          ? 'The card was declined'
          : 'Unknown test payment token; use tok_visa or tok_declined',
      );
    }
    return { paymentId: `pay_${input.orderId}` };
  }

  async refund(): Promise<void> {}
}
