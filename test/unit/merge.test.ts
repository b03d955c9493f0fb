import { deepMerge } from '../../src/domain/merge';

describe('deepMerge', () => {
  it('merges plain objects recursively; patch keys win', () => {
    const base = { a: 1, s: { x: 1, y: { p: 1, q: 2 } }, keep: 'k' };
    expect(deepMerge(base, { a: 2, s: { y: { q: 3, r: 4 }, z: 5 }, n: 'new' })).toEqual({
      a: 2,
      s: { x: 1, y: { p: 1, q: 3, r: 4 }, z: 5 },
      keep: 'k',
      n: 'new',
    });
  });

  it('replaces arrays instead of merging them', () => {
    expect(deepMerge({ l: [1, 2, 3], o: { l: [{ a: 1 }] } }, { l: [9], o: { l: [] } })).toEqual({ l: [9], o: { l: [] } });
  });

  it('replaces across kinds: object over scalar, scalar over object, array over object', () => {
    expect(deepMerge({ a: 1, b: { x: 1 }, c: { x: 1 } }, { a: { x: 1 }, b: 'flat', c: [1] })).toEqual({
      a: { x: 1 },
      b: 'flat',
      c: [1],
    });
  });

  it('null replaces, at the top and nested', () => {
    expect(deepMerge({ a: { x: 1 }, b: { c: 1 } }, { a: null, b: { c: null } })).toEqual({ a: null, b: { c: null } });
  });

  it('ignores keys whose patch value is undefined, at any depth', () => {
    expect(deepMerge({ a: 1, b: { c: 2 } }, { a: undefined, b: { c: undefined, d: 3 }, e: undefined })).toEqual({
      a: 1,
      b: { c: 2, d: 3 },
    });
    expect(Object.keys(deepMerge({}, { e: undefined }))).toEqual([]);
    expect(deepMerge({}, { n: { u: undefined } })).toEqual({ n: {} });
  });

  it('an empty patch gives an equal but new object', () => {
    const base = { a: { b: 1 } };
    const out = deepMerge(base, {});
    expect(out).toEqual(base);
    expect(out).not.toBe(base);
  });

  it('never mutates base or patch', () => {
    const base = { a: { b: 1, l: [1] }, c: 1 };
    const patch = { a: { b: 2, n: { m: 1 } }, l: [2] };
    const [b0, p0] = [structuredClone(base), structuredClone(patch)];
    const out = deepMerge(base, patch);
    expect(base).toEqual(b0);
    expect(patch).toEqual(p0);
    expect(out.a).not.toBe(base.a);
    // A nested object that came only from the patch is copied, so editing the result spares the patch.
    (out.a as unknown as { n: { m: number } }).n.m = 99;
    expect(patch.a.n.m).toBe(1);
  });

  it('a "__proto__" key in a JSON patch pollutes nothing and does not change the prototype', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "nested": {"__proto__": {"polluted": true}}}');
    const out = deepMerge({ nested: { ok: 1 } }, patch);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out.nested)).toBe(Object.prototype);
    expect((out as Record<string, unknown>).polluted).toBeUndefined();
    // The key is kept as ordinary data, as the JSON said.
    expect(Object.keys(out)).toEqual(['nested', '__proto__']);
    expect(JSON.stringify(out)).toBe('{"nested":{"ok":1,"__proto__":{"polluted":true}},"__proto__":{"polluted":true}}');
  });

  it('"constructor"/"prototype" keys in a JSON patch pollute nothing', () => {
    const patch = JSON.parse('{"constructor": {"prototype": {"polluted": true}}}');
    const out = deepMerge({}, patch);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['constructor']);
    expect(out.constructor).toEqual({ prototype: { polluted: true } });
  });

  it('a stored own "__proto__" key merges like any other key', () => {
    const base = JSON.parse('{"__proto__": {"a": 1}}');
    const out = deepMerge(base, JSON.parse('{"__proto__": {"b": 2}}'));
    expect(JSON.stringify(out)).toBe('{"__proto__":{"a":1,"b":2}}');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});
