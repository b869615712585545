import { ReturnRequest } from '../../models';
import { type OrderDoc, canTransition } from '../order-state';
import type { OrderItemDoc } from '../../models/order-item';
import { RETURN_PENDING_STEPS, type ReturnReasonCategory, type ReturnRequestDoc } from '../../models/return-request';
import type { ServiceDeps } from '../deps';
import { BusinessRuleError, ConflictError, ValidationError, type FieldError } from '../../shared/errors';
import { nextId } from '../ids';
import { newEvent, type RequestMeta } from '../order-events';
import { commitChangeHoldingLock } from '../order-write';
import { itemsOf, loadOrderFor } from '../orders/load-order';
import type { Principal } from '../principal';
import { isAbandoned, reconcileReturn } from './reconcile';
import { decideReturnStep } from './return-steps';
import type { OrderStatus } from '../../shared/names';

export interface RequestReturnInput {
  reason: string;
  reasonCategory: ReturnReasonCategory;
  description?: string;
  items: { orderItemId: string; quantity: number; returnReason?: string }[];
}

const quoted = (list: readonly string[]) => list.map((s) => `'${s}'`).join(' or ');

/**
 * The owner (or an administrator) asks to return some of a delivered order's items. The
 * return request is written first, provisional, then the order moves to 'Return Requested'
 * with its `return.requested` event; only then are the items marked and the request made
 * visible. Of two simultaneous requests the order's compare-and-set lets one win; the
 * loser's provisional request is deleted and it answers 409.
 */
export async function requestReturn(
  deps: ServiceDeps,
  principal: Principal,
  orderId: string,
  input: RequestReturnInput,
  meta: RequestMeta,
  idempotencyKey: string | null = null,
): Promise<ReturnRequestDoc> {
  let order = await loadOrderFor(principal, orderId);
  if (await settlePreviousReturn(order)) order = await loadOrderFor(principal, orderId);
  assertReturnable(order, deps.settings.ORDER_RETURN_ALLOWED_STATUSES);
  const items = await itemsOf(order._id);
  const lines = returnLines(items, input.items);

  const now = new Date();
  const returnId = await nextId(deps.settings.RETURN_ID_PREFIX, now);
  const event = newEvent(
    'return.requested',
    principal,
    { from: order.status, to: 'Return Requested', notes: input.reason },
    meta,
    { returnId, reasonCategory: input.reasonCategory },
    now,
  );
  // The request is provisional until the order commit; of two simultaneous requests the
  // order's compare-and-set lets one win, and the loser's request is deleted again.
  const provisional = async () =>
    (
      await ReturnRequest.create({
        returnId,
        orderId: order._id,
        orderIdString: order.orderId,
        userId: order.userId,
        requestedBy: principal.userId === order.userId ? order.customerName : (principal.name ?? principal.userId),
        reason: input.reason,
        reasonCategory: input.reasonCategory,
        description: input.description ?? null,
        items: lines,
        status: 'Pending',
        requestedAt: now,
        refundStatus: 'Pending',
        pendingStep: 'request',
        pendingSince: now,
        idempotencyKey,
      })
    ).toObject<ReturnRequestDoc>();
  const { claimed, order: updated } = await decideReturnStep(
    order._id,
    'request',
    provisional,
    () =>
      commitChangeHoldingLock(
        order,
        {
          status: 'Return Requested',
          returnReason: input.reason,
          returnRequestedBy: principal.userId,
          returnRequestedAt: now,
          // A new request starts unreviewed, whatever an earlier (rejected) one left here.
          returnApproved: null,
          returnApprovedBy: null,
          returnApprovedAt: null,
          updatedBy: principal.userId,
        },
        [event],
      ),
    'Another return request of this order was made at the same time',
  );
  await deps.relay(updated);
  return { ...claimed, pendingStep: null, pendingSince: null };
}

/** The return requested under an idempotency record, if its request committed before its process died. */
export async function findReturnRequestedUnder(
  deps: ServiceDeps,
  idempotencyKey: string,
): Promise<ReturnRequestDoc | null> {
  const rr = await ReturnRequest.findOne({ idempotencyKey }).lean<ReturnRequestDoc>();
  if (!rr) return null;
  if (rr.pendingStep === 'request' && (await reconcileReturn(rr)) === 'undone') return null;
  await deps.relay(rr.orderId);
  return { ...rr, pendingStep: null, pendingSince: null };
}

function assertReturnable(order: OrderDoc, allowed: readonly OrderStatus[]): void {
  if (order.status === 'Return Requested') {
    throw new BusinessRuleError('Cannot request return', 'status', 'A return request is already open for this order');
  }
  if (!allowed.includes(order.status) || !canTransition(order.status, 'Return Requested')) {
    throw new BusinessRuleError(
      'Cannot request return',
      'status',
      `Returns can only be requested for ${quoted(allowed)} orders`,
    );
  }
}

/**
 * Finishes an earlier return step of this order that a crash left pending, so the new
 * request is judged on settled state; refuses while one is still in flight.
 */
async function settlePreviousReturn(order: OrderDoc): Promise<boolean> {
  const pending = await ReturnRequest.findOne({
    orderId: order._id,
    pendingStep: { $in: RETURN_PENDING_STEPS },
  }).lean<ReturnRequestDoc>();
  if (!pending) return false;
  if (!isAbandoned(pending))
    throw new ConflictError("Another change to this order's return is in progress; retry shortly");
  await reconcileReturn(pending);
  return true;
}

/** The request's lines checked against the order's items: each one of them, within what can still be returned. */
function returnLines(items: OrderItemDoc[], wanted: RequestReturnInput['items']) {
  const byId = new Map(items.map((i) => [i._id.toHexString(), i]));
  const errors: FieldError[] = [];
  const lines = wanted.flatMap((w, i) => {
    const item = byId.get(w.orderItemId.toLowerCase());
    if (!item) {
      errors.push({ field: `items.${i}.orderItemId`, message: 'Is not an item of this order' });
      return [];
    }
    const returnable = item.quantity - (item.returnedQuantity ?? 0);
    if (w.quantity > returnable) {
      errors.push({
        field: `items.${i}.quantity`,
        message: `Must be at most ${returnable}, the quantity that can still be returned`,
      });
      return [];
    }
    return [
      {
        orderItemId: item._id,
        productId: item.productId,
        productName: item.productName,
        quantity: w.quantity,
        returnReason: w.returnReason ?? null,
      },
    ];
  });
  if (errors.length) throw new ValidationError(errors, 'Cannot request return');
  return lines;
}
