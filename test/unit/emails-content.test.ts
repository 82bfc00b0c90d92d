import { describe, expect, it } from 'vitest';
import type { EmailKind } from '../../shared/domain/email-model.js';
import { EMAIL_KINDS, emailMessageSchema } from '../../shared/domain/email-model.js';
import { escapeHtml, formatAmount, renderEmail } from '../../shared/domain/emails.js';
import { paidOrder } from '../support/orders-fixtures.js';

const order = paidOrder;

const kinds = Object.values(EMAIL_KINDS) as EmailKind[];

describe('renderEmail', () => {
  it.each(kinds)('%s names the event and the order id in subject, text and HTML', (kind) => {
    // Act
    const email = renderEmail(kind, order());

    // Assess
    expect(email.subject).toContain('Spring Gala');
    expect(email.text).toContain('Spring Gala');
    expect(email.text).toContain('01JORDER000000000000000001');
    expect(email.text).toContain('$50.00');
    expect(email.text).toMatch(/^Hi Ada,/);
    expect(email.html).toContain('Spring Gala');
    expect(email.html).toContain('01JORDER000000000000000001');
    expect(email.html).toContain('$50.00');
  });

  it('gives each kind its own subject', () => {
    // Act
    const subjects = kinds.map((kind) => renderEmail(kind, order()).subject);

    // Assess
    expect(new Set(subjects).size).toBe(kinds.length);
    expect(subjects).toEqual([
      'Your tickets for Spring Gala are confirmed',
      'Your hold for Spring Gala has expired',
      'Your order for Spring Gala is cancelled',
      'Your order for Spring Gala has been refunded',
      'Spring Gala has been cancelled',
      'Tickets for Spring Gala are waiting for you',
    ]);
  });

  it('escapes the event and customer names in HTML but keeps them readable in text', () => {
    // Prepare
    const hostile = order({
      eventName: '<script>alert("x")</script> & Friends',
      customer: { userId: 'c', email: 'c@example.com', name: `<img src=x onerror='boom'>` },
    });

    // Act
    const email = renderEmail('order-confirmed', hostile);

    // Assess
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Friends');
    expect(email.html).toContain('&lt;img src=x onerror=&#39;boom&#39;&gt;');
    expect(email.text).toContain('<script>alert("x")</script> & Friends');
  });

  it('keeps line breaks of an event name out of the subject', () => {
    // Act
    const email = renderEmail(
      'hold-expired',
      order({ eventName: 'Gala\r\nBcc: evil@example.com' }),
    );

    // Assess
    expect(email.subject).toBe('Your hold for Gala Bcc: evil@example.com has expired');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it('tells a paid customer of a cancelled event about the refund, a holder that nothing was charged', () => {
    // Act
    const paid = renderEmail('event-cancelled', order({ status: 'REFUNDED' }));
    const { paidAt: _paid, ...unpaidOrder } = order({ status: 'CANCELLED' });
    const unpaid = renderEmail('event-cancelled', unpaidOrder);

    // Assess
    expect(paid.text).toContain('Your payment of $50.00 has been refunded');
    expect(unpaid.text).toContain('you have not been charged');
  });

  it('greets without a name when the customer has none, and counts one ticket in the singular', () => {
    // Act
    const email = renderEmail(
      'order-cancelled',
      order({
        customer: { userId: 'c', email: 'c@example.com', name: '' },
        items: [{ ticketTypeId: 'tt', quantity: 1, unitPriceCents: 5000 }],
      }),
    );

    // Assess
    expect(email.text).toMatch(/^Hello,\n/);
    expect(email.text).toContain('Your order of 1 ticket for Spring Gala');
  });

  it('names the seats of a seated order in every kind, and no seats line for general admission', () => {
    const seated = order({
      items: [
        {
          ticketTypeId: 'tt-stalls',
          quantity: 2,
          unitPriceCents: 2500,
          seatIds: ['S-A-1', 'S-A-2'],
        },
        { ticketTypeId: 'tt-box', quantity: 1, unitPriceCents: 5000, seatIds: ['BOX-1-3'] },
      ],
    });
    for (const kind of Object.values(EMAIL_KINDS)) {
      const email = renderEmail(kind, seated);
      expect(email.text, kind).toContain('Seats: S-A-1, S-A-2, BOX-1-3');
      expect(email.html, kind).toContain(
        '<th align="left">Seats</th><td>S-A-1, S-A-2, BOX-1-3</td>',
      );
    }
    expect(renderEmail('order-confirmed', order()).text).not.toContain('Seats:');
  });
});

describe('formatAmount', () => {
  it.each([
    [5000, 'USD', '$50.00'],
    [123456, 'EUR', '€1,234.56'],
    [5000, 'JPY', '¥5,000'],
    [1234, 'KWD', 'KWD 1.234'],
    [0, 'USD', '$0.00'],
  ])('%i minor units of %s is %s', (amount, currency, expected) => {
    expect(formatAmount(amount, currency).replace(/\u00a0/g, ' ')).toBe(expected);
  });

  it('falls back to two decimals and the code for a code Intl rejects', () => {
    expect(formatAmount(1999, 'not-a-currency')).toBe('19.99 not-a-currency');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>Tom & Jerry</a> ü`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt; ü',
    );
  });
});

describe('emailMessageSchema', () => {
  it('accepts every kind and rejects unknown kinds and empty ids', () => {
    for (const kind of kinds) {
      expect(emailMessageSchema.safeParse({ orderId: 'o-1', kind }).success).toBe(true);
    }
    expect(emailMessageSchema.safeParse({ orderId: 'o-1', kind: 'spam' }).success).toBe(false);
    expect(emailMessageSchema.safeParse({ orderId: '', kind: 'hold-expired' }).success).toBe(false);
    expect(emailMessageSchema.safeParse({ kind: 'hold-expired' }).success).toBe(false);
  });
});
