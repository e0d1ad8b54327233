/** Jest for the mini-app's logic (services, adapters, hooks): jsdom, with stand-ins for @tarojs/taro and
 *  @tarojs/components (Taro's own test kit does not work with Taro 4). Run by `npm test` (npm run test:miniapp). */
module.exports = {
  rootDir: __dirname,
  displayName: 'miniapp',
  testEnvironment: 'jsdom',
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } }],
  },
  testMatch: ['<rootDir>/src/**/*.test.ts?(x)', '<rootDir>/test/**/*.test.ts?(x)'],
  moduleNameMapper: {
    '^@shared/(.*)$': '<rootDir>/../shared/src/$1',
    '^@tarojs/taro$': '<rootDir>/test/stubs/taro.ts',
    '^@tarojs/components$': '<rootDir>/test/stubs/components.tsx',
    '\\.(s?css)$': '<rootDir>/test/stubs/style.ts',
  },
  globals: { API_BASE: '' },
  reporters: ['default'],
};
