import { readFileSync } from 'node:fs';
import path from 'node:path';
import { approvalPath, approvalsPath, customerPath, remindersPath } from './links';

/** The pages the mini-app declares (miniapp/src/app.config.ts): a link to any other path lands on the first page. */
const pages = [...readFileSync(path.join(__dirname, '../../../miniapp/src/app.config.ts'), 'utf8').matchAll(/'(pages\/[\w/-]+)'/g)].map((m) => m[1]);

describe('bot deep links name pages the mini-app has', () => {
  it.each([
    ['customer', customerPath('0123456789abcdef01234567')],
    ['reminders', remindersPath()],
    ['approval', approvalPath('0123456789abcdef01234567')],
    ['approvals', approvalsPath()],
  ])('%s → %s', (_name, link) => {
    const m = /^\/app\/#\/(pages\/[\w/-]+)(\?.*)?$/.exec(link);
    expect(m).not.toBeNull();
    expect(pages).toContain(m![1]);
  });
});
