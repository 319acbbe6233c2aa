// Preloaded with --import in the consumer project: the module hooks of record-loads-hooks.mjs write the
// URL of every module the program resolves, one a line, to the file named by LOADED_MODULES_FILE, so that
// the program can tell which packages an import brought in.
import { register } from 'node:module';

register('./record-loads-hooks.mjs', import.meta.url, { data: { file: process.env.LOADED_MODULES_FILE } });
