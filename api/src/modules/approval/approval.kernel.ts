/** What the subject strategies (subjects/) need of the API's kernel: the request context and errors, named once. */
export type { Actor, RequestMeta } from '../../context';
export { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
