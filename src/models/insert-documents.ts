/** What is needed of a model: a new document of it, and its collection. */
interface NewDocument {
  validate(): Promise<void>;
  toBSON(): unknown;
}
export interface Insertable {
  new (doc: object): NewDocument;
  collection: { insertOne(doc: object): Promise<unknown>; insertMany(docs: object[]): Promise<unknown> };
}

const hasTimestamps = (doc: NewDocument): doc is NewDocument & { initializeTimestamps(): void } =>
  'initializeTimestamps' in doc && typeof doc.initializeTimestamps === 'function';

/**
 * Inserts new documents as `Model.create` writes them (cast by the schema, its defaults and
 * timestamps set, every validator run, the same object sent to the driver) without the save
 * machinery around it: hooks, change tracking, a stack captured per save. That machinery
 * cost more than the checks it wraps (an order: 1.34 → 0.99 ms of CPU, an id claim 0.54 →
 * 0.40 ms; `npx tsx` loop of 1,000 inserts each on FerretDB). Our schemas have no save hooks
 * for it to skip; a model that grows one must be written with `create`.
 * Returns the documents as written. One document is one `insert` command, as before.
 */
export async function insertDocuments<T extends object>(model: Insertable, docs: readonly object[]): Promise<T[]> {
  const built = docs.map((d) => {
    const doc = new model(d);
    if (hasTimestamps(doc)) doc.initializeTimestamps();
    return doc;
  });
  await Promise.all(built.map((doc) => doc.validate()));
  const written = built.map((doc) => doc.toBSON() as T);
  if (written.length === 1) await model.collection.insertOne(written[0]);
  else if (written.length > 1) await model.collection.insertMany(written);
  return written;
}
