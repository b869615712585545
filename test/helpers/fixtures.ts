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
      { productId: 'PROD-002', productName: 'USB-C Cable', sku: 'CABLE-USBC-01', quantity: 1, unitPrice: 500.0, discount: 0.0, tax: 45.0 },
    ],
    notes: 'Please deliver between 10 AM - 2 PM',
  };
}

/** A small valid order body for tests that need many orders. */
export function smallOrderBody(unitPrice = 100, quantity = 1) {
  const body = guideOrderBody();
  return { deliveryAddress: body.deliveryAddress, items: [{ productId: 'PROD-9', productName: 'Thing', quantity, unitPrice }] };
}
