// The same bounded fuzz over PostgreSQL (its own process, as every test file): values SQLite keeps
// and PostgreSQL refuses, such as NUL characters, must not turn into 5xx answers.
process.env.SESAME_FUZZ_ENGINE = 'postgres';
await import('./fuzz.test.ts');
