import { parseChineseDateTime } from './parse-chinese-datetime';
import { CORPUS, type Expected } from './parse-chinese-datetime.corpus';

const TZ = 'Asia/Shanghai';
/** Sunday 2026-11-22 10:00 in Beijing. */
const NOW = new Date('2026-11-22T02:00:00Z');
/** A Beijing wall-clock time as an ISO instant. */
const bj = (y: number, mo: number, d: number, h: number, mi = 0) => new Date(Date.UTC(y, mo - 1, d, h - 8, mi)).toISOString();

describe('parseChineseDateTime (now: Sunday 2026-11-22 10:00 Beijing)', () => {
  it.each([
    ['今天下午3点', bj(2026, 11, 22, 15)],
    ['明早', bj(2026, 11, 23, 9)],
    ['今晚', bj(2026, 11, 22, 20)],
    ['后天上午十点', bj(2026, 11, 24, 10)],
    ['3天后', bj(2026, 11, 25, 9)],
    ['下周二', bj(2026, 11, 24, 9)],
    ['周五前', bj(2026, 11, 27, 9)],
    ['下个月5号', bj(2026, 12, 5, 9)],
    ['月底', bj(2026, 11, 30, 9)],
    ['两小时后', bj(2026, 11, 22, 12)],
    ['国庆后', bj(2027, 10, 8, 9)],
    ['已电话沟通，客户要求下周二下午再联系', bj(2026, 11, 24, 14)],
    ['明天上午', bj(2026, 11, 23, 9)],
    ['下周一', bj(2026, 11, 23, 9)],
    ['十二月三号下午两点半', bj(2026, 12, 3, 14, 30)],
    ['明天下午3点半', bj(2026, 11, 23, 15, 30)],
    ['明天14:30', bj(2026, 11, 23, 14, 30)],
    ['半小时后', bj(2026, 11, 22, 10, 30)],
    ['30分钟后', bj(2026, 11, 22, 10, 30)],
    ['大后天', bj(2026, 11, 25, 9)],
    ['下下周三', bj(2026, 12, 2, 9)],
    ['星期三', bj(2026, 11, 25, 9)],
    ['下周', bj(2026, 11, 23, 9)],
    ['下个月底', bj(2026, 12, 31, 9)],
    ['下月初', bj(2026, 12, 1, 9)],
    ['12月1日', bj(2026, 12, 1, 9)],
    ['1月5号', bj(2027, 1, 5, 9)],
    ['25号', bj(2026, 11, 25, 9)],
    ['15号', bj(2026, 12, 15, 9)],
    ['元旦后', bj(2027, 1, 4, 9)], // the first working day after the break (1 Jan 2027 is a Friday)
    ['春节后', bj(2027, 2, 15, 9)], // 春节 2027-02-06, break 除夕–初七, then a weekend
    ['晚上8点', bj(2026, 11, 22, 20)],
    ['下午两点', bj(2026, 11, 22, 14)],
    ['中午', bj(2026, 11, 22, 12)],
    ['早上9点', bj(2026, 11, 23, 9)],
    ['3点', bj(2026, 11, 22, 15)],
    ['明天10点', bj(2026, 11, 23, 10)],
    ['后天晚上7点', bj(2026, 11, 24, 19)],
    ['下周三上午10点半', bj(2026, 11, 25, 10, 30)],
    ['5天以后', bj(2026, 11, 27, 9)],
    ['明晚', bj(2026, 11, 23, 20)],
    ['周五下午', bj(2026, 11, 27, 14)],
    ['２小时后', bj(2026, 11, 22, 12)],
    ['约了明天下午三点一刻见面', bj(2026, 11, 23, 15, 15)],
    ['今晚11点半提醒我', bj(2026, 11, 22, 23, 30)],
  ])('%s → %s', (text, expected) => {
    expect(parseChineseDateTime(text, NOW, TZ)?.at.toISOString()).toBe(expected);
  });

  it.each(['你好', '客户很满意', '周报已发', '已经处理了', '三个月', '2小时', '明白了', '下载资料', '价格是3000', '晚点再说', '初步沟通了需求', ''])(
    '%j names no time',
    (text) => {
      expect(parseChineseDateTime(text, NOW, TZ)).toBeNull();
    },
  );

  it('23:30 in Beijing is 15:30 UTC the same day', () => {
    expect(parseChineseDateTime('今晚11点半', NOW, TZ)!.at.toISOString()).toBe('2026-11-22T15:30:00.000Z');
  });

  it('computes in the business time zone, not the server’s', () => {
    // 2026-11-22 10:00 Beijing is still 2026-11-21 in Los Angeles: "明天" differs
    expect(parseChineseDateTime('明天上午10点', NOW, 'America/Los_Angeles')!.at.toISOString()).toBe('2026-11-22T18:00:00.000Z');
  });

  it('says when the time of day was a default', () => {
    expect(parseChineseDateTime('下周二', NOW, TZ)!.defaultTime).toBe(true);
    expect(parseChineseDateTime('下周二下午', NOW, TZ)!.defaultTime).toBe(false);
  });

  it('rolls over the year end', () => {
    const dec31 = new Date('2026-12-31T04:00:00Z'); // Thursday 12:00 Beijing
    expect(parseChineseDateTime('明天', dec31, TZ)!.at.toISOString()).toBe(bj(2027, 1, 1, 9));
    expect(parseChineseDateTime('下个月5号', dec31, TZ)!.at.toISOString()).toBe(bj(2027, 1, 5, 9));
  });
});

/** "2026-11-25 14:00" in Beijing wall time, for the corpus. */
const wall = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
const expectedText = (e: Expected) => (e === null ? 'no date' : typeof e === 'string' ? e : `past → ${e.past ?? 'no suggestion'}`);

describe('rep sentences: precision (no wrong date ever proposed) and recall', () => {
  const tally = { sentences: 0, withDate: 0, proposed: 0, correct: 0, wrong: [] as string[], missed: [] as string[] };

  afterAll(() => {
    const precision = tally.proposed ? tally.correct / tally.proposed : 1;
    const recall = tally.withDate ? tally.correct / tally.withDate : 1;
    console.log(
      [
        `date reader over ${tally.sentences} rep sentences in ${CORPUS.length} groups (${tally.withDate} name a date):`,
        `  precision ${(precision * 100).toFixed(1)} % (${tally.correct} right of ${tally.proposed} proposed; target 100 %)`,
        `  recall    ${(recall * 100).toFixed(1)} % (${tally.correct} of ${tally.withDate}; target ≥ 97 %)`,
        ...tally.wrong.map((w) => `  WRONG  ${w}`),
        ...tally.missed.map((m) => `  missed ${m}`),
      ].join('\n'),
    );
  });

  it.each(CORPUS.map((g) => [g.name, g] as const))('%s', (_name, group) => {
    const now = new Date(`${group.now}+08:00`);
    const wrong: string[] = [];
    for (const [sentence, expected] of group.cases) {
      tally.sentences += 1;
      const r = parseChineseDateTime(sentence, now, TZ);
      // what the bot would put in front of the rep: the date, or the suggestion it asks about
      const proposed = r ? (r.past ? (r.past.suggestion ? `past → ${wall(r.past.suggestion)}` : 'past → no suggestion') : wall(r.at)) : null;
      const want = expected === null ? null : expectedText(expected);
      if (want !== null) tally.withDate += 1;
      if (proposed === null) {
        if (want !== null) tally.missed.push(`${sentence} (want ${want})`);
        continue;
      }
      tally.proposed += 1;
      if (proposed === want) tally.correct += 1;
      else {
        const line = `${sentence} → ${proposed} (want ${want ?? 'no date'}; now ${group.now})`;
        tally.wrong.push(line);
        wrong.push(line);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has at least 300 sentences, proposes no wrong date and reads ≥ 97 % of the dates', () => {
    expect(tally.sentences).toBeGreaterThanOrEqual(300);
    expect(tally.wrong).toEqual([]);
    expect(tally.correct / tally.withDate).toBeGreaterThanOrEqual(0.97);
  });
});

describe('details of the date reader', () => {
  it('a day already gone this week comes back as past, with the next occurrence and the question', () => {
    const r = parseChineseDateTime('客户说这周五给答复', NOW, TZ)!; // said on Sunday
    expect(r.at.toISOString()).toBe(bj(2026, 11, 20, 9));
    expect(r.past).toEqual({ suggestion: new Date(bj(2026, 11, 27, 9)), question: '这周五已经过了，是下周五吗？' });
    expect(parseChineseDateTime('下周五', NOW, TZ)!.past).toBeUndefined();
  });

  it.each([
    ['12月18号（周五）下午', bj(2026, 12, 18, 14)],
    ['12月18号(周四)', null], // the weekday contradicts the date: nothing is proposed
    ['2026/12/18 周五', bj(2026, 12, 18, 9)],
  ])('%s → %s', (text, want) => {
    expect(parseChineseDateTime(text, NOW, TZ)?.at.toISOString() ?? null).toBe(want);
  });

  it.each([
    // 春节 on the day of the new moon in Beijing: 2027-02-06 23:56 and 2030-02-03 00:07 (ICU puts both a day early)
    [2027, '春节当天', bj(2027, 2, 6, 9)],
    [2030, '春节当天', bj(2030, 2, 3, 9)],
    [2033, '中秋当天', bj(2033, 9, 8, 9)],
    [2035, '端午当天', bj(2035, 6, 10, 9)],
  ])('lunar table %s: %s', (year, text, want) => {
    expect(parseChineseDateTime(text, new Date(`${year}-01-01T10:00:00+08:00`), TZ)!.at.toISOString()).toBe(want);
  });

  it('outside the lunar table a lunar holiday names no date (never a guess)', () => {
    expect(parseChineseDateTime('春节后', new Date('2036-03-01T10:00:00+08:00'), TZ)).toBeNull();
  });
});
