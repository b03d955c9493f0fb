// Loaded with --require (see serve-flags.ts): sets the V8 flags in FREEZER_TEST_V8_FLAGS, which
// NODE_OPTIONS refuses, before the server allocates much. Heap-sizing flags such as
// --heap-growing-percent are read at every collection, so setting them now takes effect.
const v8 = require('node:v8');

for (const flag of (process.env.FREEZER_TEST_V8_FLAGS ?? '').split(' ').filter(Boolean)) v8.setFlagsFromString(flag);
