/** What a figure tracker concluded from one observation. */
export const Signal = {
  NONE: 0,
  /** First reach of the warning level since the last baseline. */
  WARN: 1,
  /** The trip condition holds. */
  TRIP: 2,
} as const;
export type Signal = (typeof Signal)[keyof typeof Signal];
