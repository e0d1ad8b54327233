/** Writes the import benchmark's file in a process of its own (its memory is not the server's): `tsx bench/import-gen.ts <file> <rows> <seed> [entities]`. */
import { generate } from './import.bench';

const [file, rows, seed, entities] = process.argv.slice(2);
generate(file!, Number(rows), Number(seed), entities === 'entities').then(
  (made) => process.stdout.write(JSON.stringify(made)),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
