import { useEffect, type PropsWithChildren } from 'react';
import { onOnline, toastText } from './platform/ui';
import { session, visits } from './services';
import './app.scss';

/** Sends visits saved while offline: at start and whenever the network comes back. */
function flushOutbox(): void {
  if (!visits.pending().length || !session.token()) return;
  void visits.flush().then((r) => {
    if (r.sent) toastText(`已补交 ${r.sent} 条拜访记录`);
    if (r.dropped.length) toastText(`有 ${r.dropped.length} 条拜访记录提交失败：${r.dropped[0]!.message}`);
  });
}

function App({ children }: PropsWithChildren) {
  useEffect(() => {
    flushOutbox();
    onOnline(flushOutbox);
  }, []);
  return children;
}

export default App;
