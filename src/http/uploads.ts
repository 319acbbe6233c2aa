// Image uploads (multipart/form-data), registered only in the route scopes that take them: the
// multipart plugin adds an onResponse hook to every request in its scope, so the rest of the API
// does not carry it.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';

export async function acceptUploads(app: FastifyInstance): Promise<void> {
  const { MAX_UPLOAD_BYTES } = app.emulator.config;
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6 } });
}
