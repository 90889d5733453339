/** How far back the overdue sweep looks for doses that became overdue. */

/** Lookback of the daily sweep: a sweep missed for up to this many days loses nothing. */
export const DEFAULT_LOOKBACK_DAYS = 28;
/** A catch-up over every dose still offered (about 100 years back). */
export const CATCH_UP_LOOKBACK_DAYS = 36_500;
