/** Deep links into the mini-app's H5 build (served at /app); the mini-app keeps these routes stable. */
export const customerPath = (id: string) => `/app/#/pages/customer/detail?id=${encodeURIComponent(id)}`;
export const remindersPath = () => '/app/#/pages/reminders/index';
