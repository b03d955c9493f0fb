import { mergePatch, patchDocument, patchStyleOf, replaceKeys } from '../../src/domain/merge';

describe('mergePatch (RFC 7386)', () => {
  // RFC 7386 Appendix A, every example: [target, patch, result].
  const APPENDIX_A: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(APPENDIX_A)('MergePatch(%j, %j) is %j', (target, patch, result) => {
    expect(mergePatch(target, patch)).toEqual(result);
  });

  it("the RFC's section 3 example", () => {
    const target = {
      title: 'Goodbye!',
      author: { givenName: 'John', familyName: 'Doe' },
      tags: ['example', 'sample'],
      content: 'This will be unchanged',
    };
    const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
    expect(mergePatch(target, patch)).toEqual({
      title: 'Hello!',
      author: { givenName: 'John' },
      tags: ['example'],
      content: 'This will be unchanged',
      phoneNumber: '+01-123-456-7890',
    });
  });

  it('keeps nulls inside arrays, which it replaces whole', () => {
    expect(mergePatch({ a: [1] }, { a: [null, { b: null }] })).toEqual({ a: [null, { b: null }] });
  });

  it('never mutates target or patch; untouched values are shared', () => {
    const target = { a: { b: 1, l: [1] }, c: { d: 1 } };
    const patch = { a: { b: null, n: { m: 1 } } };
    const [t0, p0] = [structuredClone(target), structuredClone(patch)];
    const out = mergePatch(target, patch) as { a: { n: { m: number } }; c: object };
    expect(target).toEqual(t0);
    expect(patch).toEqual(p0);
    expect(out.c).toBe(target.c);
    // A nested object that came only from the patch is copied, so editing the result spares the patch.
    out.a.n.m = 99;
    expect(patch.a.n.m).toBe(1);
  });

  it('a "__proto__" key in a JSON patch pollutes nothing and does not change the prototype', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "nested": {"__proto__": {"polluted": true}}}');
    const out = mergePatch({ nested: { ok: 1 } }, patch) as Record<string, Record<string, unknown>>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out.nested)).toBe(Object.prototype);
    expect(out.polluted).toBeUndefined();
    expect(JSON.stringify(out)).toBe('{"nested":{"ok":1,"__proto__":{"polluted":true}},"__proto__":{"polluted":true}}');
    // Deleting it deletes the data key, nothing else.
    expect(JSON.stringify(mergePatch(out, JSON.parse('{"__proto__": null}')))).toBe(
      '{"nested":{"ok":1,"__proto__":{"polluted":true}}}',
    );
  });

  it('a stored own "__proto__" key merges like any other key', () => {
    const out = mergePatch(JSON.parse('{"__proto__": {"a": 1}}'), JSON.parse('{"__proto__": {"b": 2}}'));
    expect(JSON.stringify(out)).toBe('{"__proto__":{"a":1,"b":2}}');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe('replaceKeys (application/json PATCH)', () => {
  it('replaces each top-level key sent whole and leaves the others', () => {
    const base = { a: 1, s: { x: 1, y: 2 }, l: [1, 2], keep: { k: 1 } };
    expect(replaceKeys(base, { s: { y: 3 }, l: [], a: null, n: 'new' })).toEqual({
      a: null,
      s: { y: 3 },
      l: [],
      keep: { k: 1 },
      n: 'new',
    });
  });

  it('skips undefined (not given) and never mutates', () => {
    const base = { a: 1 };
    const out = replaceKeys(base, { a: undefined, b: 2 });
    expect(out).toEqual({ a: 1, b: 2 });
    expect(base).toEqual({ a: 1 });
    expect(Object.keys(out)).toEqual(['a', 'b']);
  });

  it('a "__proto__" or "constructor" key in a JSON patch is data', () => {
    const out = replaceKeys({}, JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
  });
});

describe('patchDocument', () => {
  const doc = { s: { x: 1, y: 2 }, d: 'text' };
  it('by the media type: top-level keys replace for application/json, merge patch for application/merge-patch+json', () => {
    expect(patchDocument(doc, { s: { y: 3 }, d: null }, patchStyleOf('application/json'))).toEqual({ s: { y: 3 }, d: null });
    expect(patchDocument(doc, { s: { y: 3 }, d: null }, patchStyleOf('application/merge-patch+json'))).toEqual({
      s: { x: 1, y: 3 },
    });
  });
});
