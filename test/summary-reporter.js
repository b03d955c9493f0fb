// Prints one "skipped: ..." line per group a local run left out, naming what enables it, then
// Jest's totals as one plain "N passed, N failed" line, the form CI reads (so it stays last).
class SummaryReporter {
  constructor() {
    this.skippedGroups = new Map(); // reason -> names of the skipped top-level describe blocks
  }

  onTestResult(_test, result) {
    for (const test of result.testResults) {
      if (test.status !== 'pending' || !test.ancestorTitles.length) continue;
      // A skipped group's title ends with what enables it, in parentheses (see withKeystone).
      const title = test.ancestorTitles[0];
      const reason = /\(([^()]*(?:\([^()]*\)[^()]*)*)\)$/.exec(title)?.[1] ?? 'skipped in the test file';
      const groups = this.skippedGroups.get(reason) ?? new Set();
      groups.add(title);
      this.skippedGroups.set(reason, groups);
    }
  }

  onRunComplete(_contexts, results) {
    const lines = [];
    // MariaDB suites are not skipped but never declared without the URL (test/helpers/engines.ts).
    if (!process.env.FREEZER_TEST_MYSQL_URL) {
      lines.push('skipped: MariaDB suites (set FREEZER_TEST_MYSQL_URL; see README "Test it")');
    }
    for (const [reason, groups] of this.skippedGroups) {
      lines.push(`skipped: ${groups.size} group${groups.size > 1 ? 's' : ''} (${reason})`);
    }
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const totals = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.stdout.write(`\n${[...lines, totals].join('\n')}\n`);
  }
}
module.exports = SummaryReporter;
