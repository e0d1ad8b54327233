export default async function globalTeardown(): Promise<void> {
  await globalThis.__CRM_TEST_DB__?.stop();
}
