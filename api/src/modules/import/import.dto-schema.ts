import { z } from 'zod';
import { idString, isoTime } from '@crm/shared';
import { IMPORT_ENTITIES, IMPORT_FIELD_KEYS } from './import.fields';
import { DEDUPE_CHOICES, IMPORT_STATUSES } from './import.model';

const field = z.enum(IMPORT_FIELD_KEYS as [string, ...string[]]).nullable();
const dedupe = z.enum(DEDUPE_CHOICES).describe('已有记录：skip 跳过，update 更新（按手机号 / 邮箱 / 公司匹配），create 仍然新建');

export const dryRunBody = z.strictObject({
  mapping: z
    .array(z.strictObject({ column: z.number().int().min(0).max(499), field }))
    .max(500)
    .optional()
    .describe('列映射（column 从 0 开始；field 为 null 表示不导入该列）；不传则用建议的映射'),
  ownerFallback: z
    .strictObject({ mode: z.enum(['pool', 'owner']), ownerId: idString.optional() })
    .optional()
    .describe('负责人为空或未找到时：pool 放入公海，owner 交给 ownerId（默认导入人）'),
  dedupe: dedupe.optional(),
  saveTemplateAs: z.string().trim().min(1).max(40).optional().describe('把这次的映射另存为模板'),
});
export const runBody = z.strictObject({ dedupe: dedupe.default('skip') });
export const templateBody = z.strictObject({
  name: z.string().trim().min(1).max(40),
  entity: z.enum(IMPORT_ENTITIES).default('customers'),
  columns: z.array(z.strictObject({ header: z.string().max(200), field })).max(500),
});

const counts = z.object({ create: z.number().int(), skip: z.number().int(), reject: z.number().int() });
const report = z
  .object({
    rows: z.number().int(),
    create: z.number().int(),
    update: z.number().int(),
    skip: z.number().int(),
    reject: z.number().int(),
    reasons: z.record(z.string(), z.number().int()).describe('原因 → 行数'),
    cleansing: z
      .record(
        z.string(),
        z.object({ changed: z.number().int(), examples: z.array(z.object({ line: z.number().int(), before: z.string(), after: z.string() })) }),
      )
      .describe('每列清洗改动的数量和示例（改前 → 改后）'),
    problems: z.array(z.object({ line: z.number().int(), kind: z.enum(['reject', 'skip', 'warning']), message: z.string() })).describe('前 50 个问题'),
    contactsAdded: z.number().int().optional().describe('新增联系人：同一公司的另一位联系人（前面某行新建的客户，或你范围内已有的客户）'),
    entities: z
      .object({ contacts: counts, followUps: counts, opportunities: counts })
      .optional()
      .describe('每行附带的联系人、跟进记录（含备注）、商机：新建、随行跳过、无法识别'),
    tookMs: z.number().optional(),
  })
  .nullable();

export const importDtoSchema = z.object({
  id: idString,
  entity: z.enum(IMPORT_ENTITIES),
  status: z.enum(IMPORT_STATUSES),
  fileName: z.string(),
  format: z.enum(['csv', 'xlsx']),
  encoding: z.string().nullable().describe('CSV 的编码（自动识别：utf-8 / gb18030 / utf-16le / utf-16be）'),
  bytes: z.number().int(),
  headers: z.array(z.string()),
  mapping: z.array(z.object({ column: z.number().int(), header: z.string(), field })),
  fields: z.array(z.object({ key: z.string(), label: z.string() })).describe('可映射的字段'),
  ownerFallback: z.object({ mode: z.enum(['pool', 'owner']), ownerId: idString.nullable() }),
  dedupe,
  dryRun: report.describe('试导入报告'),
  run: report.describe('正式导入的报告（进行中时为已完成部分）'),
  progress: z.object({
    done: z.number().int(),
    total: z.number().int(),
    percent: z.number().int(),
    rowsPerSecond: z.number(),
    etaSeconds: z.number().nullable(),
    startedAt: isoTime.nullable(),
  }),
  rollback: z
    .object({ removed: z.number().int(), restored: z.number().int(), kept: z.number().int(), keptExamples: z.array(z.string()) })
    .nullable()
    .describe('回滚结果：删除的新建、恢复的更新、因已被他人修改而保留的'),
  cancelRequested: z.boolean(),
  error: z.string().nullable(),
  createdAt: isoTime,
  finishedAt: isoTime.nullable(),
});
export const importListDtoSchema = z.object({ items: z.array(importDtoSchema) });
export const templateDtoSchema = z.object({
  id: idString,
  name: z.string(),
  entity: z.enum(IMPORT_ENTITIES),
  columns: z.array(z.object({ header: z.string(), field })),
  updatedAt: isoTime,
});
export const templateListDtoSchema = z.object({ items: z.array(templateDtoSchema) });
