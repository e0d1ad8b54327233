import { useCallback, useEffect, useRef, useState } from 'react';

export type LoadState = 'loading' | 'ready' | 'error';

export interface AsyncResult<T> {
  state: LoadState;
  data: T | null;
  error: string;
  /** The API's HTTP status of the failure (404: not there or not yours; retrying will not help), else null. */
  errorStatus: number | null;
  reload(): void;
  /** Replace the data after an action (complete, approve …) without reloading. */
  setData(update: (prev: T | null) => T | null): void;
}

/** Loads on mount and whenever `deps` change; only the latest call's answer is kept. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncResult<T> {
  const [state, setState] = useState<LoadState>('loading');
  const [data, setDataState] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [errorStatus, setErrorStatus] = useState<number | null>(null);
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
        const status = (err as { status?: unknown } | null)?.status;
        setErrorStatus(typeof status === 'number' && status > 0 ? status : null);
        setState('error');
      },
    );
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((update: (prev: T | null) => T | null) => setDataState((prev) => update(prev)), []);
  return { state, data, error, errorStatus, reload, setData };
}
