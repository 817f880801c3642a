/**
 * Presentation formats: the number formats (written once, in machines/words/format.ts, so the
 * rules' own words use them too) and the time formats people read.
 */
export { addDec, clockTime, duration, formatDec, money, mulDec, parseDec, percent, price, quantity, signedMoney, signedPercent, toNumber, type Dec } from '../../machines/words/format.ts';

