import mongoose from 'mongoose';
import { mongoOptions } from '../../src/infra/mongo';

/** What the driver (mongoose's) makes of a URI and options, without connecting. */
const parsed = (uri: string, options: object) => new mongoose.mongo.MongoClient(uri, options).options;

describe('the MongoDB driver options', () => {
  it('turn retryable writes off when the URI does not choose (FerretDB v1 has none)', () => {
    const uri = 'mongodb://127.0.0.1:27017/order_db';

    expect(parsed(uri, mongoOptions(uri)).retryWrites).toBe(false);
  });

  it("leave them to a URI that chooses, as docker-compose.yml's replica set does", () => {
    const uri = 'mongodb://mongo:27017/order_db?replicaSet=rs0&retryWrites=true&w=majority';

    expect(parsed(uri, mongoOptions(uri))).toMatchObject({
      retryWrites: true,
      replicaSet: 'rs0',
      writeConcern: { w: 'majority' },
    });
    // Why the option is left out rather than set: given here, it would win over the URI's.
    expect(parsed(uri, { retryWrites: false }).retryWrites).toBe(false);
  });
});
