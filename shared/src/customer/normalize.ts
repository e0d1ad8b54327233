/**
 * Normalization for duplicate checks (查重) and search. Pure functions; table-driven tests beside them.
 */

/** Full-width to half-width, compatibility forms folded, lower-case Latin, trimmed. */
export function foldWidth(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\u3000/g, ' ')
    .trim();
}

const PROVINCES = [
  '北京',
  '天津',
  '上海',
  '重庆',
  '河北',
  '山西',
  '辽宁',
  '吉林',
  '黑龙江',
  '江苏',
  '浙江',
  '安徽',
  '福建',
  '江西',
  '山东',
  '河南',
  '湖北',
  '湖南',
  '广东',
  '海南',
  '四川',
  '贵州',
  '云南',
  '陕西',
  '甘肃',
  '青海',
  '台湾',
  '内蒙古',
  '广西',
  '西藏',
  '宁夏',
  '新疆',
  '香港',
  '澳门',
];
const CITIES = [
  '深圳',
  '广州',
  '杭州',
  '南京',
  '苏州',
  '成都',
  '武汉',
  '西安',
  '长沙',
  '郑州',
  '青岛',
  '宁波',
  '厦门',
  '福州',
  '合肥',
  '济南',
  '无锡',
  '东莞',
  '佛山',
  '沈阳',
  '大连',
  '哈尔滨',
  '长春',
  '石家庄',
  '太原',
  '南昌',
  '昆明',
  '贵阳',
  '南宁',
  '海口',
  '兰州',
  '银川',
  '西宁',
  '乌鲁木齐',
  '拉萨',
  '呼和浩特',
  '珠海',
  '温州',
  '常州',
  '嘉兴',
  '绍兴',
  '金华',
  '台州',
  '烟台',
  '潍坊',
  '泉州',
  '中山',
  '惠州',
  '徐州',
  '南通',
  '扬州',
  '昆山',
];
/** Longest first, so 黑龙江 wins over a shorter match and 呼和浩特 over 呼和. */
const REGIONS = [...PROVINCES, ...CITIES].sort((a, b) => b.length - a.length);
const REGION_SUFFIX = '(?:省|市|自治区|特别行政区|壮族自治区|回族自治区|维吾尔自治区)?';
const LEADING_REGION = new RegExp(`^(?:中国)?(?:${REGIONS.join('|')})${REGION_SUFFIX}`);
const LEGAL_SUFFIX = /(?:股份有限公司|有限责任公司|有限公司|股份公司|集团公司|集团|总公司|分公司|公司|工作室|合伙企业|有限合伙)$/;
/** Descriptors that companies add or drop freely: 某某信息科技 = 某某科技 = 某某. Longest first. */
const INDUSTRY_WORDS = [
  '信息技术',
  '信息科技',
  '网络科技',
  '电子科技',
  '智能科技',
  '数字科技',
  '生物科技',
  '医疗科技',
  '科技发展',
  '技术开发',
  '软件开发',
  '电子商务',
  '文化传媒',
  '国际贸易',
  '进出口',
  '供应链',
  '科技',
  '技术',
  '信息',
  '网络',
  '软件',
  '电子',
  '智能',
  '数字',
  '数据',
  '贸易',
  '商贸',
  '实业',
  '发展',
  '传媒',
  '文化',
  '咨询',
  '管理',
  '服务',
  '控股',
  '投资',
  '国际',
  '工程',
  '建设',
  '物流',
  '医疗',
  '生物',
  '电气',
  '机械',
  '设备',
  '制造',
  '工业',
  '新材料',
  '材料',
  '能源',
  '环保',
];
const INDUSTRY_ALTERNATION = [...INDUSTRY_WORDS].sort((a, b) => b.length - a.length).join('|');
const INDUSTRY_SUFFIX = new RegExp(`(?:${INDUSTRY_ALTERNATION})$`);
const ONLY_INDUSTRY = new RegExp(`^(?:${INDUSTRY_ALTERNATION})+$`);

/**
 * A company name without width, spacing, punctuation, bracketed region, legal suffix or leading region:
 * 上海某某信息科技有限公司 and 某某信息科技(上海)有限公司 both become 某某信息科技.
 */
export function normalizeCompanyName(name: string): string {
  let s = foldWidth(name).toLowerCase();
  s = s.replace(/[(（[【]([^)）\]】]*)[)）\]】]/g, (_m, inner: string) => (LEADING_REGION.test(inner) || /^中国$/.test(inner) ? '' : inner));
  s = s.replace(/[\s\p{P}\p{S}]/gu, '');
  for (let changed = true; changed;) {
    const before = s;
    s = s.replace(LEGAL_SUFFIX, '');
    s = s.replace(LEADING_REGION, '');
    changed = s !== before && s.length > 0;
  }
  return s || foldWidth(name).replace(/[\s\p{P}\p{S}]/gu, '');
}

/**
 * The distinctive core used to spot likely duplicates: industry descriptors removed as well
 * (某某信息科技 → 某某). Stripping stops before the rest would be shorter than two characters or
 * nothing but descriptors (数据科技 stays 数据科技, not the generic 数据).
 */
export function companyKey(name: string): string {
  const normalized = normalizeCompanyName(name);
  let s = normalized;
  for (let next = s.replace(INDUSTRY_SUFFIX, ''); next !== s && next.length >= 2 && !ONLY_INDUSTRY.test(next); next = s.replace(INDUSTRY_SUFFIX, '')) s = next;
  return s.length >= 2 ? s : normalized;
}

export type NormalizedPhone = { kind: 'mobile'; value: string } | { kind: 'landline'; value: string };

/**
 * Chinese phone numbers in one form. Mobiles become E.164 (+8613800138000) whatever the spacing, dashes
 * or +86 / 0086 / 86 prefix. Landlines keep their area code: 021-61234567 (an extension after 转 / ext / #
 * is kept as -123). Anything else is not a phone: null.
 */
export function normalizePhone(input: string): NormalizedPhone | null {
  const raw = foldWidth(input);
  if (!raw) return null;
  const [main = '', ext] = raw.split(/\s*(?:转|ext\.?|x|#)\s*/i);
  let digits = main.replace(/[\s\-().]/g, '');
  if (!/^\+?\d+$/.test(digits)) return null;
  digits = digits.replace(/^(?:\+86|0086|86(?=1[3-9]\d{9}$))/, '');
  if (/^1[3-9]\d{9}$/.test(digits)) return { kind: 'mobile', value: `+86${digits}` };
  // Landlines: 0 + area code (2-3 digits after the 0) + 7-8 digit number.
  const m = /^(0(?:10|2\d|[3-9]\d{2}))(\d{7,8})$/.exec(digits);
  if (m) return { kind: 'landline', value: `${m[1]}-${m[2]}${ext && /^\d{1,6}$/.test(ext) ? `-${ext}` : ''}` };
  return null;
}

/** Trimmed and lower-cased; empty or malformed strings are no email. */
export function normalizeEmail(input: string | null | undefined): string | null {
  const s = foldWidth(input ?? '').toLowerCase();
  if (!s) return null;
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) ? s : null;
}

/** Person names: width folded, inner spaces removed for CJK names ("张 三" → "张三"). */
export function normalizePersonName(name: string): string {
  const s = foldWidth(name).replace(/\s+/g, ' ');
  return /[\u4e00-\u9fff]/.test(s) ? s.replace(/\s/g, '') : s.toLowerCase();
}
