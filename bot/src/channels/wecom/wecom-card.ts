import { escapeFor } from '@crm/shared';
import type { Card } from '../../core/bot-event';

const STYLE = { primary: 1, default: 2, danger: 3 } as const;

/** Cuts to `max` characters (code points, so no half of a surrogate pair is sent). */
const cut = (s: string, max: number) => Array.from(s).slice(0, max).join('');
/**
 * Template-card fields are plain text (WeCom renders no markup in them), so nothing needs escaping but
 * bare links in user text, neutralised as insurance against clients that turn them into links.
 */
const plain = escapeFor('wecom-card');

/** Our card as a WeCom `button_interaction` template card (limits: ≤ 6 buttons, title ≈ 36 chars). */
export function toTemplateCard(card: Card, agentName = 'CRM 助手'): Record<string, unknown> {
  const title = plain(card.title);
  const description = card.description === undefined ? undefined : plain(card.description);
  return {
    card_type: 'button_interaction',
    source: { desc: agentName },
    // A short description sits under the title; a longer one (a summary's list) goes to sub_title_text (≈160 chars).
    main_title: { title: cut(title, 36), ...(description && description.length <= 44 ? { desc: description } : {}) },
    ...(description && description.length > 44 ? { sub_title_text: cut(description, 160) } : {}),
    ...(card.fields?.length
      ? { horizontal_content_list: card.fields.slice(0, 6).map((f) => ({ keyname: cut(plain(f.label), 5), value: cut(plain(f.value), 30) })) }
      : {}),
    ...(card.url ? { card_action: { type: 1, url: card.url } } : { card_action: { type: 0 } }),
    task_id: card.taskId,
    // A button with a url opens it (type 1): WeCom calls nothing back for it, so 查看详情 opens the page itself.
    button_list: card.buttons
      .slice(0, 6)
      .map((b) => ({ text: cut(b.text, 10), style: STYLE[b.style ?? 'default'], key: b.key, ...(b.url ? { type: 1, url: b.url } : {}) })),
    ...(card.doneText ? { replace_text: cut(plain(card.doneText), 20) } : {}),
  };
}
