import { z } from 'zod';
import { idString, isoTime, pageOf } from '@crm/shared';
import { scopeDtoFields } from '../customer/customer.dto-schema';

/** A contact as the API answers it. */
export const contactDtoSchema = z.strictObject({
  id: idString,
  customerId: idString,
  name: z.string(),
  title: z.string().optional().describe('职务'),
  mobiles: z.array(z.string()).describe('手机号，E.164 格式（+8613800138000）'),
  phones: z.array(z.string()).describe('座机，带区号（021-61234567）'),
  emails: z.array(z.string()),
  wecomExternalUserId: z.string().optional().describe('企业微信外部联系人 id'),
  primary: z.boolean().describe('是否主要联系人'),
  ...scopeDtoFields,
  createdAt: isoTime,
  updatedAt: isoTime,
});
export const contactPageDtoSchema = pageOf(contactDtoSchema);
