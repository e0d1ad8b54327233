import type { Card } from '../../core/bot-event';

const STYLE = { primary: 1, default: 2, danger: 3 } as const;

/** Our card as a WeCom `button_interaction` template card (limits: ≤ 6 buttons, title ≈ 36 chars). */
export function toTemplateCard(card: Card, agentName = 'CRM 助手'): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: agentName },
    // A short description sits under the title; a longer one (a summary's list) goes to sub_title_text (≈160 chars).
    main_title: { title: card.title.slice(0, 36), ...(card.description && card.description.length <= 44 ? { desc: card.description } : {}) },
    ...(card.description && card.description.length > 44 ? { sub_title_text: card.description.slice(0, 160) } : {}),
    ...(card.fields?.length
      ? { horizontal_content_list: card.fields.slice(0, 6).map((f) => ({ keyname: f.label.slice(0, 5), value: f.value.slice(0, 30) })) }
      : {}),
    ...(card.url ? { card_action: { type: 1, url: card.url } } : { card_action: { type: 0 } }),
    task_id: card.taskId,
    button_list: card.buttons.slice(0, 6).map((b) => ({ text: b.text.slice(0, 10), style: STYLE[b.style ?? 'default'], key: b.key })),
    ...(card.doneText ? { replace_text: card.doneText.slice(0, 20) } : {}),
  };
}
