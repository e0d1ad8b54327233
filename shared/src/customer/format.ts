/**
 * How contact details read on every screen and in every message (the mini-app and the bot use these, nothing
 * else): mobiles as "138 0013 8000", landlines as "021 6888 1234", regions without repeats ("上海", not
 * "上海 上海"). Pure and import-free: the mini-app compiles it into its bundle.
 */

/** A phone number as people read it; what is not a Chinese mobile or landline is shown as given. */
export function formatPhone(input: string | null | undefined): string {
  const raw = (input ?? '').trim();
  if (!raw) return '';
  const [main = '', ext] = raw.split(/\s*(?:转|ext\.?|x|#)\s*/i);
  let digits = main.replace(/[\s\-().]/g, '');
  if (!/^\+?\d+$/.test(digits)) return raw;
  digits = digits.replace(/^(?:\+86|0086|86(?=1[3-9]\d{9}$))/, '');
  const mobile = /^(1[3-9]\d)(\d{4})(\d{4})$/.exec(digits);
  if (mobile) return `${mobile[1]} ${mobile[2]} ${mobile[3]}`;
  const landline = /^(0(?:10|2\d|[3-9]\d{2}))(\d{3,4})(\d{4})$/.exec(digits);
  if (landline) return `${landline[1]} ${landline[2]} ${landline[3]}${ext && /^\d{1,6}$/.test(ext) ? ` 转 ${ext}` : ''}`;
  return raw;
}

/** Province, city, district without repeats: 上海 / 上海 → "上海"; 浙江 / 杭州 → "浙江 杭州". */
export function formatRegion(region: { province?: string | null; city?: string | null; district?: string | null } | null | undefined): string {
  const parts: string[] = [];
  for (const p of [region?.province, region?.city, region?.district]) {
    const s = (p ?? '').trim();
    const bare = s.replace(/[省市区县]$/, '');
    if (s && !parts.some((q) => q.replace(/[省市区县]$/, '') === bare)) parts.push(s);
  }
  return parts.join(' ');
}
