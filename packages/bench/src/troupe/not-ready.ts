// The error a Troupe side throws until @troupe/runtime can run it; the report shows such a side as n/a.

/** Ends every "not measurable yet" message, so the report can tell it from a real failure. */
export const NEEDS_RUNTIME = 'needs @troupe/runtime';

export function needsRuntime(scenario: string): Error {
  return new Error(`troupe side of ${scenario} ${NEEDS_RUNTIME}`);
}
