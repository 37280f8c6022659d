/**
 * Deno-std style assertions on top of node:assert (JSR's @std/assert is unreachable here).
 * Import from "../helpers/assert.ts" (or the right relative path) in every test.
 */
import nodeAssert from "node:assert/strict";

// `message as string`: once an npm driver pulls @types/node 26 into the type graph, node:assert
// has no overload taking `string | undefined`; the runtime treats undefined as "no message".

export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message as string);
}

export function assertEquals<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  nodeAssert.deepStrictEqual(actual, expected, message as string);
}

export function assertNotEquals(actual: unknown, expected: unknown, message?: string) {
  nodeAssert.notDeepStrictEqual(actual, expected, message as string);
}

export function assertStrictEquals<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  nodeAssert.strictEqual(actual, expected, message as string);
}

export function assertMatch(actual: string, re: RegExp, message?: string) {
  nodeAssert.match(actual, re, message as string);
}

export function assertStringIncludes(actual: string, expected: string, message?: string) {
  if (!actual.includes(expected)) {
    throw new nodeAssert.AssertionError({
      message: message ?? `expected string to include ${JSON.stringify(expected)}:\n${actual.slice(0, 2000)}`,
      actual,
      expected,
    });
  }
}

export function assertGreater(actual: number, expected: number, message?: string) {
  nodeAssert.ok(actual > expected, message ?? `expected ${actual} > ${expected}`);
}

export function assertLess(actual: number, expected: number, message?: string) {
  nodeAssert.ok(actual < expected, message ?? `expected ${actual} < ${expected}`);
}

/** The thrown value, after checking its class and that its message includes `includes`. */
function expectError<E extends Error>(
  err: unknown,
  // deno-lint-ignore no-explicit-any
  errorClass?: new (...args: any[]) => E,
  includes?: string,
): E {
  if (errorClass && !(err instanceof errorClass)) {
    throw new nodeAssert.AssertionError({ message: `expected ${errorClass.name}, got ${err}` });
  }
  if (includes && !(err as Error).message.includes(includes)) {
    throw new nodeAssert.AssertionError({
      message: `'${(err as Error).message}' does not include '${includes}'`,
    });
  }
  return err as E;
}

export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  errorClass?: new (...args: any[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (err) {
    return expectError(err, errorClass, includes);
  }
  throw new nodeAssert.AssertionError({ message: "expected the function to throw" });
}

export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  errorClass?: new (...args: any[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (err) {
    return expectError(err, errorClass, includes);
  }
  throw new nodeAssert.AssertionError({ message: "expected the promise to reject" });
}
