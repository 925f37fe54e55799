import { describe, expect, it } from 'vitest';
import { cellKind, floatAt, intAt, kindAt, parseFloatCell, parseIntCell } from '../../src/io/csv-cells.js';

describe('CSV cell fast paths', () => {
  // each fast path answers exactly as the string rules, or leaves the cell to them
  const check = (text: string) => {
    const b = Buffer.from(`,${text},`);
    const [s, e] = [1, b.length - 1];
    const i = intAt(b, s, e);
    if (i !== undefined) expect(Object.is(i, parseIntCell(text)), `int ${text}`).toBe(true);
    const f = floatAt(b, s, e);
    if (f !== undefined) expect(Object.is(f, parseFloatCell(text)), `float ${text}`).toBe(true);
    const k = kindAt(b, s, e);
    if (k !== undefined) expect(k, `kind ${text}`).toBe(cellKind(text));
    return { i, f, k };
  };

  it('agrees with the rules on the shapes it takes and leaves the rest to them', () => {
    expect(check('123')).toEqual({ i: 123, f: 123, k: 'int' });
    expect(check('-0.5')).toEqual({ i: undefined, f: -0.5, k: 'float' });
    expect(check('+.5').f).toBe(0.5);
    expect(check('1.').k).toBe('float');
    expect(Object.is(check('-0').i, -0)).toBe(true);
    // not plain decimals, or too many digits to be exact: the rules decide
    for (const t of ['1e3', ' 4', 'nan', '-inf', '.', '-', '', '1.2.3', '0x10', '1,5', '9007199254740993', '0.1234567890123456789']) {
      const { i, f } = check(t);
      expect([i, f], t).toEqual([undefined, undefined]);
    }
    expect(check('123456789012345678').k).toBe('int');
    expect(check('99999999999999999999').k).toBeUndefined();
  });

  it('gives the same double as Number() for random decimals', () => {
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 2 ** 32);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
    for (let n = 0; n < 50_000; n++) {
      const whole = digits(Math.floor(rnd() * 10));
      const frac = rnd() < 0.7 ? '.' + digits(Math.floor(rnd() * 10)) : '';
      const sign = ['', '-', '+'][Math.floor(rnd() * 3)]!;
      check(sign + whole + frac);
    }
  });
});
