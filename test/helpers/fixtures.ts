/** The request body of the guide's section 4.1. */
export function guideOrderBody() {
  return {
    deliveryAddress: {
      recipientName: 'John Doe',
      street: '123 Main Street, Apartment 4B',
      city: 'Bangalore',
      state: 'Karnataka',
      zipCode: '560001',
      country: 'India',
      phone: '+919876543210',
    },
    items: [
      {
        productId: 'PROD-001',
        productName: 'Wireless Headphones',
        productDescription: 'Premium noise-cancelling headphones',
        sku: 'WH-NC-001',
        quantity: 2,
        unitPrice: 2500.0,
        discount: 250.0,
        tax: 225.0,
      },
      {
        productId: 'PROD-002',
        productName: 'USB-C Cable',
        sku: 'CABLE-USBC-01',
        quantity: 1,
        unitPrice: 500.0,
        discount: 0.0,
        tax: 45.0,
      },
    ],
    notes: 'Please deliver between 10 AM - 2 PM',
  };
}

/** One order line, as given with overrides. */
export const orderLine = (overrides: Record<string, unknown> = {}) => ({
  productId: 'PROD-9',
  productName: 'Thing',
  quantity: 1,
  unitPrice: 100,
  ...overrides,
});

/** A small valid order body (one line of 100.00), with any part replaced. */
export function buildOrderBody(overrides: { deliveryAddress?: object; items?: object[]; notes?: string } = {}) {
  return { deliveryAddress: guideOrderBody().deliveryAddress, items: [orderLine()], ...overrides };
}

/** A one-line order of `quantity` units at `unitPrice`, for tests that need many orders. */
export const smallOrderBody = (unitPrice = 100, quantity = 1) =>
  buildOrderBody({ items: [orderLine({ unitPrice, quantity })] });
