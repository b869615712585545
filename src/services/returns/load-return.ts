import { ReturnRequest } from '../../models';
import type { ReturnRequestDoc } from '../../models/return-request';
import { NotFoundError } from '../../shared/errors';

/** A return request as the desk sees it; one not yet committed by its order does not exist yet. */
export async function loadReturn(returnId: string): Promise<ReturnRequestDoc> {
  const rr = await ReturnRequest.findOne({ returnId }).lean<ReturnRequestDoc>();
  if (!rr || rr.pendingStep === 'request') throw new NotFoundError('Return request', 'returnId');
  return rr;
}
