/** Stand-ins for @tarojs/components: plain DOM elements with Taro's event shapes (onInput → { detail: { value } }). */
import type { ReactNode } from 'react';

type P = { className?: string; children?: ReactNode; onClick?: () => void; style?: Record<string, string> };
export const View = ({ className, children, onClick, style }: P) => (
  <div className={className} onClick={onClick} style={style}>
    {children}
  </div>
);
export const Text = ({ className, children, onClick }: P) => (
  <span className={className} onClick={onClick}>
    {children}
  </span>
);
export const Button = ({ className, children, onClick, disabled }: P & { disabled?: boolean; loading?: boolean }) => (
  <button className={className} onClick={onClick} disabled={disabled}>
    {children}
  </button>
);
type InputP = { className?: string; value?: string; placeholder?: string; onInput?: (e: { detail: { value: string } }) => void };
export const Input = ({ className, value, placeholder, onInput }: InputP) => (
  <input className={className} value={value} placeholder={placeholder} onChange={(e) => onInput?.({ detail: { value: e.target.value } })} />
);
export const Textarea = ({ className, value, placeholder, onInput }: InputP) => (
  <textarea className={className} value={value} placeholder={placeholder} onChange={(e) => onInput?.({ detail: { value: e.target.value } })} />
);
export const Picker = ({ children }: { children?: ReactNode }) => <div>{children}</div>;
