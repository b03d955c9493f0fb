// What a code generator made of the spec, read from its TypeScript output.

/**
 * The lines of generated TypeScript that type something `unknown` (a property, an item, a branch),
 * comments aside. Index signatures are not counted: `[key: string]: unknown` is an open document's
 * further keys (`additionalProperties: true`, kept as sent) and `[name: string]: unknown` a
 * response's undeclared headers; neither has a shape the spec could give.
 */
export function unknownTyped(source: string): string[] {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /\bunknown\b/.test(line))
    .filter((line) => !/^\[(key|name): string\]: unknown;?$/.test(line));
}
