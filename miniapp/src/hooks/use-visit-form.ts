import { useEffect, useMemo, useRef, useState } from 'react';
import { customAt, NEXT_STEP_CHOICES, pickerValues, quickChoiceAt, type NextStepChoice } from '../lib/time';
import type { CreateFollowUpBody, FollowUpType } from '../services/api-types';
import type { SubmitResult, VisitDraft, VisitService } from '../services/visits';

export interface VisitForm {
  type: FollowUpType;
  contactId: string | null;
  content: string;
  location: { lat: number; lng: number; address?: string } | null;
  address: string;
  nextStepText: string;
  choice: NextStepChoice | null;
  customDate: string;
  customTime: string;
}

const EMPTY: VisitForm = {
  type: 'visit',
  contactId: null,
  content: '',
  location: null,
  address: '',
  nextStepText: '',
  choice: null,
  customDate: '',
  customTime: '09:00',
};

export function fromDraft(d: VisitDraft): VisitForm {
  const custom = d.nextStepChoice === 'custom' && d.nextStepDueAt ? pickerValues(new Date(d.nextStepDueAt)) : null;
  return {
    type: d.type,
    contactId: d.contactId,
    content: d.content,
    location: d.location,
    address: d.location?.address ?? '',
    nextStepText: d.nextStepText,
    choice: (d.nextStepChoice as NextStepChoice | null) ?? null,
    customDate: custom?.date ?? '',
    customTime: custom?.time ?? '09:00',
  };
}

/** The next step's due time, or null (no choice, or an incomplete custom date). */
export function dueAtOf(form: VisitForm, now: Date): Date | null {
  if (!form.choice) return null;
  if (form.choice === 'custom') return customAt(form.customDate, form.customTime);
  return quickChoiceAt(form.choice, now);
}

/** Checks the form and builds the API body; a Chinese message when something is missing. */
export function toFollowUpBody(customerId: string, form: VisitForm, now: Date): { body: CreateFollowUpBody } | { error: string } {
  const content = form.content.trim();
  if (!content) return { error: '请填写拜访内容' };
  const body: CreateFollowUpBody = { customerId, type: form.type, content, happenedAt: now.toISOString() };
  if (form.contactId) body.contactId = form.contactId;
  const address = form.address.trim();
  if (form.location) body.location = { lat: form.location.lat, lng: form.location.lng, ...(address ? { address } : {}) };
  if (form.choice) {
    const due = dueAtOf(form, now);
    if (!due) return { error: '请选择下一步的日期和时间' };
    if (due.getTime() <= now.getTime()) return { error: '下一步的时间需要晚于现在' };
    const label = NEXT_STEP_CHOICES.find((c) => c.key === form.choice)?.label ?? '';
    body.nextStep = { text: form.nextStepText.trim() || (form.choice === 'custom' ? '再次跟进' : `${label}再次跟进`), dueAt: due.toISOString() };
  }
  return { body };
}

export interface VisitFormApi {
  form: VisitForm;
  restored: boolean;
  update(patch: Partial<VisitForm>): void;
  submitting: boolean;
  error: string;
  submit(): Promise<SubmitResult | null>;
  dueAt: Date | null;
}

/** The visit form: restored from the draft, saved as a draft on every change, submitted once. */
export function useVisitForm(customerId: string, svc: VisitService, now: () => Date = () => new Date()): VisitFormApi {
  const draft = useMemo(() => (customerId ? svc.loadDraft(customerId) : null), [customerId, svc]);
  const [form, setForm] = useState<VisitForm>(() => (draft ? fromDraft(draft) : EMPTY));
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState('');
  const sent = useRef(false);

  useEffect(() => {
    if (!customerId || sent.current) return;
    const touched = form.content || form.nextStepText || form.choice || form.location;
    if (!touched) return;
    const due = dueAtOf(form, now());
    svc.saveDraft(customerId, {
      type: form.type,
      contactId: form.contactId,
      content: form.content,
      location: form.location ? { ...form.location, ...(form.address ? { address: form.address } : {}) } : null,
      nextStepText: form.nextStepText,
      nextStepDueAt: due ? due.toISOString() : null,
      nextStepChoice: form.choice,
    });
  }, [customerId, form]);

  return {
    form,
    restored: Boolean(draft),
    update: (patch) => setForm((f) => ({ ...f, ...patch })),
    submitting,
    error,
    dueAt: dueAtOf(form, now()),
    async submit() {
      if (submitting || sent.current) return null;
      const built = toFollowUpBody(customerId, form, now());
      if ('error' in built) {
        setError(built.error);
        return null;
      }
      setError('');
      setSubmitting(true);
      try {
        const result = await svc.submit(built.body);
        sent.current = true;
        return result;
      } catch (err) {
        setError(err instanceof Error ? err.message : '提交失败');
        return null;
      } finally {
        setSubmitting(false);
      }
    },
  };
}
