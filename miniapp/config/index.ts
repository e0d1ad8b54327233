import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

/** Small pure modules of shared/ (labels, DTO constants, time-zone helpers) are compiled with the app. */
const SHARED = path.resolve(__dirname, '..', '..', 'shared', 'src');

/**
 * Taro 4.2.1 build configuration (webpack5 runner). Targets: weapp (WeCom runs WeChat mini-programs), qywx
 * (@tarojs/plugin-platform-weapp-qy), dd (@tarojs/plugin-platform-alipay-dd) and h5 (served by the API at /app/).
 * The platform plugins are added only for their own target: the dd plugin changes prebundle options for every build otherwise.
 * Build-time values reach the code only through `defineConstants` (API_BASE: where mini-programs call the API;
 * the H5 build calls its own origin).
 */
export default defineConfig<'webpack5'>(() => {
  const env = process.env.TARO_ENV;
  const plugins: string[] = [];
  if (env === 'qywx') plugins.push('@tarojs/plugin-platform-weapp-qy');
  if (env === 'dd') plugins.push('@tarojs/plugin-platform-alipay-dd');
  const apiBase = env === 'h5' ? '' : (process.env.TARO_APP_API_BASE ?? 'http://localhost:3000');

  const config: UserConfigExport<'webpack5'> = {
    projectName: 'chat-crm-miniapp',
    date: '2026-11-23',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${env}`,
    plugins,
    defineConstants: { API_BASE: JSON.stringify(apiBase) },
    copy: { patterns: [], options: {} },
    framework: 'react',
    // `@shared/…` names a small pure module of shared/src (no relative path crosses the workspace boundary).
    alias: { '@shared': SHARED },
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      compile: { include: [SHARED] },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
    h5: {
      compile: { include: [SHARED] },
      publicPath: '/app/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[contenthash:8].css', chunkFilename: 'css/[name].[contenthash:8].css' },
      postcss: { autoprefixer: { enable: true, config: {} } },
    },
  };
  return config;
});
