import { useCallback, useEffect, useRef, useState } from 'react';

export type LoadState = 'loading' | 'ready' | 'error';

export interface AsyncResult<T> {
  state: LoadState;
  data: T | null;
  error: string;
  reload(): void;
  /** Replace the data after an action (complete, approve …) without reloading. */
  setData(update: (prev: T | null) => T | null): void;
}

/** Loads on mount and whenever `deps` change; only the latest call's answer is kept. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncResult<T> {
  const [state, setState] = useState<LoadState>('loading');
  const [data, setDataState] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  const seq = useRef(0);

  useEffect(() => {
    const mine = ++seq.current;
    setState('loading');
    load().then(
      (value) => {
        if (mine !== seq.current) return;
        setDataState(value);
        setState('ready');
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setError(err instanceof Error ? err.message : '加载失败');
        setState('error');
      },
    );
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((update: (prev: T | null) => T | null) => setDataState((prev) => update(prev)), []);
  return { state, data, error, reload, setData };
}
