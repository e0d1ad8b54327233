/**
 * The workspaces' allowed arrows (docs/architecture.md, "Workspaces and their arrows"), checked by
 * `npm run lint:deps` (part of `npm run lint`, so of `npm test`):
 *
 *   shared ← config ← api ← bot ← server          (scripts, bench and tests may use any of them)
 *
 * The rule on raw collections (`db.collection('…')` only inside the module that owns it) is an ESLint rule
 * (eslint.config.mjs), since it is about a call, not an import.
 */
const WORKSPACES = '(api|bot|server|shared|config|miniapp)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-not-bot-or-server',
      comment: 'The domain (api/) never imports the bot or the composition root: it defines ports, the server plugs the bot into them.',
      severity: 'error',
      from: { path: '^api/src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(bot|server)/' },
    },
    {
      name: 'bot-only-api-public-index',
      comment: "The bot uses the domain through @crm/api's public index (services, DTOs, ports), never a module's files.",
      severity: 'error',
      from: { path: '^bot/src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^api/src/', pathNot: '^api/src/index\\.ts$' },
    },
    {
      name: 'no-relative-import-across-workspaces',
      comment: 'A workspace imports another by its package name (@crm/api, @crm/bot, …), as its package.json declares.',
      severity: 'error',
      from: { path: `^${WORKSPACES}/` },
      to: { dependencyTypes: ['local'], path: `^${WORKSPACES}/`, pathNot: '^$1/' },
    },
    {
      name: 'shared-and-config-stand-alone',
      comment: 'shared/ imports nothing of ours; config/ only shared/.',
      severity: 'error',
      from: { path: '^(shared|config)/src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(api|bot|server)/' },
    },
    {
      name: 'bot-not-server',
      comment: 'The bot is built by the server; it never imports it.',
      severity: 'error',
      from: { path: '^bot/src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^server/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.cache|\\.data|test-artifacts|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // workspace packages are symlinks in node_modules: resolve them to their real folders (api/src/index.ts)
    preserveSymlinks: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], mainFields: ['main', 'types'] },
  },
};
