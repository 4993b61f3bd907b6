import { isRebindError, type RebindError } from '@rebind/core';

/** The RebindError `promise` rejects with; throws if it resolves or rejects otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<RebindError> {
  try {
    await promise;
  } catch (error) {
    if (isRebindError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
