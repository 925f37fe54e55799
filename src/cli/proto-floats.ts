/**
 * Proto `float` fields (TFMD's avg_length, avg_num_bytes, …) decode as float32 values widened
 * to doubles, 6.545454502105713; the CLI shows them as their shortest float32 decimal, 6.5454545.
 */
import protobuf from 'protobufjs';
import { float32 } from './format.js';

type Obj = Record<string, unknown>;

/** Rewrite, in place, every `float` field of `obj` (a decoded `type` message, nested ones included). */
export function shortenFloatFields(type: protobuf.Type, obj: Obj): Obj {
  type.root.resolveAll();
  const walk = (t: protobuf.Type, o: Obj): void => {
    for (const field of t.fieldsArray) {
      const v = o[field.name];
      if (v === undefined || v === null) continue;
      const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
      const each = (x: unknown): unknown => {
        if (sub && x && typeof x === 'object') walk(sub, x as Obj);
        else if (field.type === 'float' && typeof x === 'number') return float32(x);
        return x;
      };
      if (field.map) for (const [k, x] of Object.entries(v as Obj)) (v as Obj)[k] = each(x);
      else if (Array.isArray(v)) o[field.name] = v.map(each);
      else o[field.name] = each(v);
    }
  };
  walk(type, obj);
  return obj;
}
