/** Name pools for demo and benchmark data: common surnames (incl. polyphonic ones), given names, brands. */
export const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解仇区',
];
export const GIVEN_NAMES = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '霞',
  '平',
  '刚',
  '秀英',
  '桂英',
  '建华',
  '志强',
  '晓东',
  '海燕',
  '俊杰',
  '子涵',
  '浩然',
  '雨萱',
  '文博',
  '思远',
  '欣怡',
  '嘉豪',
  '晨曦',
  '佳琪',
  '建国',
  '红梅',
  '立新',
  '玉兰',
  '振华',
  '国强',
  '婷婷',
  '晓明',
  '春梅',
  '志刚',
  '小龙',
  '一鸣',
  '宇航',
  '梓萱',
];
export const BRANDS = [
  '启明',
  '天元',
  '博远',
  '瑞丰',
  '鼎盛',
  '恒通',
  '华信',
  '中科',
  '金桥',
  '宏图',
  '远景',
  '卓越',
  '新锐',
  '联创',
  '汇达',
  '佳和',
  '同方',
  '永安',
  '盛世',
  '海纳',
  '蓝海',
  '云帆',
  '智达',
  '德润',
  '明阳',
  '正泰',
  '长风',
  '青禾',
  '星河',
  '凯瑞',
  '安和',
  '东升',
  '华美',
  '万象',
  '锦程',
  '弘毅',
  '信诚',
  '聚源',
  '致远',
  '和光',
];
/** Second characters that make a brand distinct and still read naturally (启明 → 启明华). */
export const BRAND_SECOND = [...'华星瑞信达通泰源盛恒安宏博诚德丰嘉康隆美'];
export const INDUSTRIES: Array<[string, string]> = [
  ['信息科技', '互联网'],
  ['网络科技', '互联网'],
  ['软件', '软件'],
  ['医疗器械', '医疗'],
  ['新材料', '制造'],
  ['贸易', '贸易'],
  ['实业', '制造'],
  ['物流', '物流'],
  ['电子', '电子'],
  ['生物科技', '医疗'],
  ['建设工程', '建筑'],
  ['食品', '快消'],
  ['教育科技', '教育'],
  ['智能装备', '制造'],
  ['能源', '能源'],
];
export const LEGAL_SUFFIXES = ['有限公司', '有限公司', '有限公司', '股份有限公司', '有限责任公司'];
export const REGIONS: Array<[string, string, string]> = [
  ['上海', '上海', '021'],
  ['北京', '北京', '010'],
  ['广东', '深圳', '0755'],
  ['广东', '广州', '020'],
  ['浙江', '杭州', '0571'],
  ['江苏', '南京', '025'],
  ['江苏', '苏州', '0512'],
  ['四川', '成都', '028'],
  ['湖北', '武汉', '027'],
  ['福建', '厦门', '0592'],
];
export const TITLES = ['总经理', '采购经理', '技术总监', 'IT 经理', '财务总监', '运营主管', '董事长助理', '项目经理'];
export const FOLLOW_UP_TEXTS = [
  '电话沟通报价，客户关注交付周期',
  '上门拜访，演示了移动端，客户反馈不错',
  '微信发送了产品资料和案例',
  '与采购开会确认需求范围',
  '客户在走内部预算流程，下周再跟',
  '发送合同草稿，法务在看条款',
  '客户提出价格偏高，需要申请折扣',
  '回访使用情况，提出两个改进建议',
];
export const NEXT_STEPS = ['发送报价单', '约技术交流', '跟进预算审批', '安排上门演示', '确认合同条款', '回访使用情况'];
export const LOST_REASONS = ['预算取消', '选择了竞品', '需求延期到明年', '价格不合适'];

/** A small, fast, deterministic PRNG (mulberry32), so demo data is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
