import mongoose, { Model } from 'mongoose';
import { loadConfig } from '@crm/config';
import { buildServices } from '../services';

/** A mongoose model (a class deriving from Model), wherever it hides. */
const isModel = (v: unknown): boolean => typeof v === 'function' && v.prototype instanceof Model;

/** What anyone holding the service can reach: its own properties (TS `private` included: it is only a compile-time word) and its getters. */
function reachable(service: object): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = Object.getOwnPropertyNames(service).map((k) => [k, (service as Record<string, unknown>)[k]]);
  for (let proto = Object.getPrototypeOf(service) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null)
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) if (d.get) out.push([k, d.get.call(service)]);
  return out;
}

describe('each domain module owns its data: no service exposes a mongoose model', () => {
  const conn = mongoose.createConnection(); // never opened: building the services touches no database
  const services = buildServices(conn, loadConfig({ NODE_ENV: 'test' }));
  afterAll(() => conn.close());

  it.each(Object.entries(services))('%s holds its models in #private fields only', (_name, service) => {
    const exposed = reachable(service as object)
      .filter(([, v]) => isModel(v))
      .map(([k]) => k);
    expect(exposed).toEqual([]);
  });

  it('notices a model held in a plain property (the check itself works)', () => {
    const leaky = { model: conn.model('LeakCheck', new mongoose.Schema({ a: String })) };
    expect(reachable(leaky).filter(([, v]) => isModel(v))).toHaveLength(1);
  });
});
