import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/unavailable';
import { AppError, CommonErrorCode, databaseUnavailable } from './app-error';

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: number | string;
  name?: string;
}

/** Turns anything thrown into an AppError; unknown errors become a 500 whose text is never shown. */
export function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return validationError(err);
  if (isDatabaseUnavailable(err)) return databaseUnavailable(err);
  const e = (err ?? {}) as HttpLikeError;
  const status = e.status ?? e.statusCode;
  if (status === 413 || e.type === 'entity.too.large') {
    return new AppError(413, CommonErrorCode.PAYLOAD_TOO_LARGE, '请求体过大（JSON 上限 1 MB）', { cause: err });
  }
  if (status === 415 && (e.type === 'encoding.unsupported' || /Unsupported Content-Encoding/i.test(String((err as Error).message)))) {
    return new AppError(415, CommonErrorCode.UNSUPPORTED_ENCODING, '不支持的 Content-Encoding（只接受 gzip、deflate、br 或不压缩）', { cause: err });
  }
  if (status === 415) return new AppError(415, CommonErrorCode.UNSUPPORTED_MEDIA_TYPE, '不支持的请求内容类型', { cause: err });
  // Content-Encoding: gzip (or deflate, br) on a body that is not: zlib's errors, thrown while reading the body
  if (typeof e.code === 'string' && /^Z_(DATA|BUF|STREAM|NEED_DICT)_ERROR$|^ERR_BROTLI|^ERR__ERROR_FORMAT_PADDING/.test(e.code)) {
    return new AppError(400, CommonErrorCode.INVALID_BODY_ENCODING, '请求体无法按 Content-Encoding 解压', { cause: err });
  }
  if (status === 400 && (e.type === 'entity.parse.failed' || e.name === 'SyntaxError')) {
    return new AppError(400, CommonErrorCode.INVALID_JSON, '请求体不是合法的 JSON', { cause: err });
  }
  if (e.name === 'CastError' || e.name === 'BSONError') {
    return new AppError(400, CommonErrorCode.INVALID_ID, '无效的 ID', { cause: err });
  }
  if (e.code === 11000 || e.code === 11001) return new AppError(409, CommonErrorCode.CONFLICT, '记录已存在', { cause: err });
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(status, status === 404 ? CommonErrorCode.NOT_FOUND : CommonErrorCode.VALIDATION_FAILED, (err as Error).message, { cause: err });
  }
  return new AppError(500, CommonErrorCode.INTERNAL, '服务器内部错误', { cause: err, expose: false });
}

export function validationError(err: ZodError): AppError {
  return new AppError(400, CommonErrorCode.VALIDATION_FAILED, '请求参数不正确', {
    details: err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}
