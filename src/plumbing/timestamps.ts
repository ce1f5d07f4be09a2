/** 1980-01-01, the earliest date a ZIP can hold, unless SOURCE_DATE_EPOCH says otherwise: every archive pybin writes uses it. */
export function fixedZipDate(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = Number(env.SOURCE_DATE_EPOCH);
  const earliest = Date.UTC(1980, 0, 1);
  return new Date(Number.isFinite(epoch) && env.SOURCE_DATE_EPOCH ? Math.max(epoch * 1000, earliest) : earliest);
}
