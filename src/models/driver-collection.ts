import type { mongo } from 'mongoose';

/**
 * A model's collection as the driver sees it, typed by the documents it holds (mongoose types
 * every model's driver collection as holding ObjectId ids): for lean reads on hot paths and
 * for writes that must reach the server exactly as built.
 */
export const driverCollection = <T extends mongo.Document>(model: { collection: object }): mongo.Collection<T> =>
  model.collection as mongo.Collection<T>;
