import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.cache/**',
      '.data/**',
      'miniapp/dist/**',
      'miniapp/.swc/**',
      'test-artifacts/**',
      'coverage/**',
      '.scratch/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through config/ (loadConfig).' }],
    },
  },
  { files: ['config/**', 'tests/helpers/**', 'scripts/**/*.mjs', 'jest.config.js', 'eslint.config.mjs'], rules: { 'no-restricted-properties': 'off' } },
  // A collection is reached only through the module that owns it (its model, private to its service): never by
  // name from elsewhere. The import rules between workspaces are dependency-cruiser's (.dependency-cruiser.cjs).
  {
    files: ['api/src/**/*.ts', 'bot/src/**/*.ts', 'server/src/**/*.ts', 'shared/src/**/*.ts', 'config/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='collection'][arguments.length>0]",
          message: "No db.collection('…'): call the service of the module that owns the collection.",
        },
        {
          // prettier formats md`…` without placeholders as embedded markdown: it wraps the text in newlines that reach the chat
          selector: "TaggedTemplateExpression[tag.name='md'] > TemplateLiteral[expressions.length=0] > TemplateElement[value.raw=/^\\n\\s*\\S/]",
          message: 'This md`` text starts with a line break (prettier reformatted it as markdown): put `// prettier-ignore` above it and write it on one line.',
        },
      ],
    },
  },
  // Owners that reach their own collection through the driver: the send ledger (`bot_send_ledger`).
  { files: ['bot/src/outbound/send-ledger.ts'], rules: { 'no-restricted-syntax': 'off' } },
  // The backup copies and restores every collection by name, whoever owns it (server/src/backup: archive format, restore).
  { files: ['server/src/backup/archive.ts'], rules: { 'no-restricted-syntax': 'off' } },
  // The mini-app is built by Taro: TARO_ENV and TARO_APP_* are build-time constants, not runtime configuration.
  { files: ['miniapp/**'], rules: { 'no-restricted-properties': 'off' } },
  // Taro H5 renders disabled={false} as a [disabled] attribute (a greyed-out, unreadable label): pages use ActionButton.
  {
    files: ['miniapp/src/**/*.tsx'],
    ignores: ['miniapp/src/components/action-button.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@tarojs/components', importNames: ['Button'], message: 'Use ActionButton (components/action-button): it never renders disabled="false".' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
