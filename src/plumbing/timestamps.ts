/** SOURCE_DATE_EPOCH as a date, when it is set to a number. */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): Date | undefined {
  const epoch = Number(env.SOURCE_DATE_EPOCH);
  return env.SOURCE_DATE_EPOCH && Number.isFinite(epoch) ? new Date(epoch * 1000) : undefined;
}

/** 1980-01-01, the earliest date a ZIP can hold, unless SOURCE_DATE_EPOCH says otherwise: every archive pybin writes uses it. */
export function fixedZipDate(env: NodeJS.ProcessEnv = process.env): Date {
  const earliest = Date.UTC(1980, 0, 1);
  return new Date(Math.max(sourceDateEpoch(env)?.getTime() ?? earliest, earliest));
}
