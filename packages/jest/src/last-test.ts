// Whether a finished Jest test is its file's last one to run (jest-circus's state, read
// structurally: Jest 29 and 30 share this shape). Conservative: with a test name pattern
// it answers false (a restart too many, never one too few).

interface CircusTest {
  readonly type: 'test';
  readonly mode?: string;
}
interface CircusBlock {
  readonly type: 'describeBlock';
  readonly mode?: string;
  readonly children: ReadonlyArray<CircusBlock | CircusTest>;
}
export interface CircusState {
  readonly rootDescribeBlock?: CircusBlock;
  readonly hasFocusedTests?: boolean;
  readonly testNamePattern?: unknown;
}

export function isLastTest(test: unknown, state: CircusState | undefined): boolean {
  const root = state?.rootDescribeBlock;
  if (state === undefined || root === undefined || test === undefined || state.testNamePattern)
    return false;
  const order: Array<{ test: CircusTest; skipped: boolean }> = [];
  const walk = (block: CircusBlock, skipped: boolean) => {
    for (const child of block.children) {
      const off = skipped || child.mode === 'skip' || child.mode === 'todo';
      if (child.type === 'describeBlock') walk(child, off);
      else
        order.push({
          test: child,
          skipped: off || (state.hasFocusedTests === true && child.mode !== 'only'),
        });
    }
  };
  walk(root, false);
  const at = order.findIndex((entry) => entry.test === test);
  return at >= 0 && order.slice(at + 1).every((entry) => entry.skipped);
}
