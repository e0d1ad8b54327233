/**
 * Money as people read it, in chat and in the app: 分 → "¥8,600" below 10万 (whole yuan), "¥12.5万" / "¥120万"
 * from 10万 up (one decimal only when it is not zero). One formatter for cards, notices and the mini-app.
 */
export function formatMoneyShort(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return '';
  const yuan = fen / 100;
  const sign = yuan < 0 ? '-' : '';
  const abs = Math.abs(yuan);
  if (abs >= 100_000) {
    const wan = abs / 10_000;
    const shown = abs >= 1_000_000 ? Math.round(wan).toString() : (Math.round(wan * 10) / 10).toString();
    return `${sign}¥${Number(shown).toLocaleString('en-US', { maximumFractionDigits: 1 })}万`;
  }
  return `${sign}¥${Math.round(abs).toLocaleString('en-US')}`;
}
