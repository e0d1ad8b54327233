/** Thrown by loadConfig: one line per problem, each naming the variable, so a fix is obvious. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee README.md (Configuration) or .env.example.`);
    this.name = 'ConfigError';
  }
}
