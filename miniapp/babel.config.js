// babel-preset-taro: see /work/shared/reference/taro-notes.md (the configuration known to build on our machines).
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
