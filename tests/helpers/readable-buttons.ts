/// <reference lib="dom" />
import type { Page } from 'playwright-core';

export interface UnreadableButton {
  text: string;
  color: string;
  background: string;
  contrast: number;
  why: 'no text' | 'low contrast';
}

/**
 * Every visible button on the page must show a label a person can read: some text, and a contrast of at
 * least `min` between the label and what is behind it (WCAG AA asks 4.5 for text this size). Computed
 * from the browser's styles (alpha and element opacity blended over the nearest opaque background), so it
 * catches a label greyed out by a stray `[disabled]` style without comparing screenshots.
 */
export async function unreadableButtons(page: Page, min = 4.5): Promise<UnreadableButton[]> {
  return page.evaluate((minContrast) => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return [0, 0, 0, 0];
      const p = m[1]!
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0]!, p[1]!, p[2]!, p.length > 3 ? p[3]! : 1];
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => {
      const a = top[3] + bottom[3] * (1 - top[3]);
      if (a === 0) return [0, 0, 0, 0];
      const mix = (i: number) => (top[i]! * top[3] + bottom[i]! * bottom[3] * (1 - top[3])) / a;
      return [mix(0), mix(1), mix(2), a];
    };
    const luminance = ([r, g, b]: Rgba) => {
      const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const backgroundOf = (el: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      return layers.reduceRight<Rgba>((below, layer) => over(layer, below), [255, 255, 255, 1]);
    };
    const opacityOf = (el: Element) => {
      let o = 1;
      for (let e: Element | null = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity || 1);
      return o;
    };
    const out: UnreadableButton[] = [];
    for (const el of Array.from(document.querySelectorAll('taro-button-core, button'))) {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden' || style.display === 'none') continue;
      const text = (el as HTMLElement).innerText.trim();
      // A button that really is disabled may look greyed out, but still says what it is.
      const disabled = el.hasAttribute('disabled') && el.getAttribute('disabled') !== 'false';
      const bg = backgroundOf(el);
      const fg0 = parse(style.color);
      const fg = over([fg0[0], fg0[1], fg0[2], fg0[3] * opacityOf(el)], bg);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a) as [number, number];
      const contrast = Math.round(((l1 + 0.05) / (l2 + 0.05)) * 100) / 100;
      if (!text) out.push({ text, color: style.color, background: `rgb(${bg.slice(0, 3).map(Math.round).join(',')})`, contrast, why: 'no text' });
      else if (!disabled && contrast < minContrast)
        out.push({ text, color: style.color, background: `rgb(${bg.slice(0, 3).map(Math.round).join(',')})`, contrast, why: 'low contrast' });
    }
    return out;
  }, min);
}
